// Types for the one ajv-formats-draft2019 file custody uses (the package ships none).
declare module 'ajv-formats-draft2019/formats/idn-email.js' {
  function idnEmail(value: string): boolean;
  export default idnEmail;
}
