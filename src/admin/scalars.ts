import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

/**
 * The custom scalars of the SDL. DateTime is accepted as epoch ms or Date internally and always
 * sent as an ISO string; Long exists because GraphQL's Int is 32-bit and token sums are not.
 */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize(value) {
    const date = value instanceof Date ? value : typeof value === 'number' || typeof value === 'string' ? new Date(value) : null;
    if (date === null || Number.isNaN(date.getTime())) throw new GraphQLError(`DateTime cannot represent ${String(value)}`);
    return date.toISOString();
  },
  parseValue(value) {
    return parseDate(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string such as 2026-01-31T12:00:00Z', { nodes: ast });
    return parseDate(ast.value);
  },
});

function parseDate(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : null;
  if (date === null || Number.isNaN(date.getTime())) {
    throw new GraphQLError(`invalid DateTime ${JSON.stringify(value)}: use ISO 8601, e.g. 2026-01-31T12:00:00Z`);
  }
  return date;
}

export const LongScalar = new GraphQLScalarType<number, number>({
  name: 'Long',
  serialize(value) {
    const n = typeof value === 'bigint' ? Number(value) : typeof value === 'string' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new GraphQLError(`Long cannot represent ${String(value)}`);
    return n;
  },
  parseValue(value) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new GraphQLError(`Long must be a whole number, got ${String(value)}`);
    return value;
  },
  parseLiteral(ast) {
    const n = ast.kind === Kind.INT ? Number(ast.value) : NaN;
    if (!Number.isSafeInteger(n)) throw new GraphQLError('Long must be a whole number', { nodes: ast });
    return n;
  },
});

export const JsonScalar = new GraphQLScalarType<unknown, unknown>({
  name: 'JSON',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast) => literalValue(ast),
});

function literalValue(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map(literalValue);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((field) => [field.name.value, literalValue(field.value)]));
    default:
      throw new GraphQLError('JSON literals cannot use variables inside', { nodes: ast });
  }
}
