// The "idn-email" format as the cyclonedx-library validates it (ajv-formats-draft2019, which
// parses addresses with smtp-address-parser). That package ships no types, hence the wrapper.
import idnEmailModule from 'ajv-formats-draft2019/formats/idn-email.js';

export const idnEmail: (value: string) => boolean = idnEmailModule;
