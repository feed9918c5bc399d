import type { DocumentNode } from 'graphql';

// A printer for executable documents (operations and fragments), so a
// DocumentNode can be sent without graphql-js's `print`. The output is compact,
// not pretty: the server parses it, nobody reads it.

interface Node {
  readonly kind: string;
}

/** The fields the printer reads, across node kinds. */
type Fields = Record<
  | 'alias'
  | 'arguments'
  | 'defaultValue'
  | 'definitions'
  | 'directives'
  | 'fields'
  | 'name'
  | 'operation'
  | 'selections'
  | 'selectionSet'
  | 'type'
  | 'typeCondition'
  | 'value'
  | 'values'
  | 'variable'
  | 'variableDefinitions',
  never
>;

const list = (nodes: readonly unknown[] | undefined, separator: string): string =>
  (nodes ?? []).map((node) => print(node as Node)).join(separator);

/** `(a, b)` when there are items, else nothing. */
const wrap = (nodes: readonly unknown[] | undefined): string => (nodes?.length ? `(${list(nodes, ', ')})` : '');

const directives = (node: { directives?: readonly unknown[] | undefined }): string =>
  node.directives?.length ? ` ${list(node.directives, ' ')}` : '';

function print(node: Node): string {
  // Each case reads the fields its kind has.
  const n = node as unknown as Fields;
  switch (node.kind) {
    case 'Document':
      return list(n.definitions, '\n\n');
    case 'OperationDefinition':
      return `${n.operation}${n.name ? ` ${print(n.name)}` : ''}${wrap(n.variableDefinitions)}${directives(n)} ${print(n.selectionSet)}`;
    case 'FragmentDefinition':
      return `fragment ${print(n.name)}${wrap(n.variableDefinitions)} on ${print(n.typeCondition)}${directives(n)} ${print(n.selectionSet)}`;
    case 'VariableDefinition':
      return `${print(n.variable)}: ${print(n.type)}${n.defaultValue ? ` = ${print(n.defaultValue)}` : ''}${directives(n)}`;
    case 'SelectionSet':
      return `{ ${list(n.selections, ' ')} }`;
    case 'Field':
      return `${n.alias ? `${print(n.alias)}: ` : ''}${print(n.name)}${wrap(n.arguments)}${directives(n)}${n.selectionSet ? ` ${print(n.selectionSet)}` : ''}`;
    case 'FragmentSpread':
      return `...${print(n.name)}${directives(n)}`;
    case 'InlineFragment':
      return `...${n.typeCondition ? ` on ${print(n.typeCondition)}` : ''}${directives(n)} ${print(n.selectionSet)}`;
    case 'Argument':
    case 'ObjectField':
      return `${print(n.name)}: ${print(n.value)}`;
    case 'Directive':
      return `@${print(n.name)}${wrap(n.arguments)}`;
    case 'Variable':
      return `$${print(n.name)}`;
    case 'Name':
    case 'IntValue':
    case 'FloatValue':
    case 'EnumValue':
    case 'BooleanValue':
      return String(n.value);
    case 'StringValue':
      return JSON.stringify(n.value);
    case 'NullValue':
      return 'null';
    case 'ListValue':
      return `[${list(n.values, ', ')}]`;
    case 'ObjectValue':
      return `{${list(n.fields, ', ')}}`;
    case 'NamedType':
      return print(n.name);
    case 'ListType':
      return `[${print(n.type)}]`;
    case 'NonNullType':
      return `${print(n.type)}!`;
    default:
      throw new TypeError(`@gqlcast/client: cannot print a ${node.kind}`);
  }
}

/** The text of a document, to send as `query`. */
export function printDocument(document: DocumentNode): string {
  return print(document);
}
