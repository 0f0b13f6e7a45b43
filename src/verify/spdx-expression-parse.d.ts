// Types for spdx-expression-parse 5 (ships none): parses an SPDX license expression into a tree.
declare module 'spdx-expression-parse' {
  type SpdxExpressionNode =
    | { license: string; plus?: boolean; exception?: string }
    | { conjunction: 'and' | 'or'; left: SpdxExpressionNode; right: SpdxExpressionNode };
  function parse(expression: string): SpdxExpressionNode;
  export default parse;
}
