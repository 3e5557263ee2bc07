import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/** Deep enough for every legitimate query of the schema, small enough to stop recursive abuse. */
export const DEFAULT_MAX_DEPTH = 10;

/**
 * A validation rule rejecting operations whose field nesting exceeds `maxDepth`. The schema has
 * cycles (accounts -> models -> accounts ...), so without it one request could fan out without
 * bound. Introspection fields (`__schema`, `__type`) are not counted: GraphiQL's own introspection
 * query is deeper than any real query and harmless.
 */
export function depthLimit(maxDepth = DEFAULT_MAX_DEPTH): ValidationRule {
  return function DepthLimit(context: ValidationContext): ASTVisitor {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    return {
      OperationDefinition(operation) {
        const depth = selectionDepth(operation.selectionSet, fragments, new Set());
        if (depth > maxDepth) {
          const name = operation.name ? `'${operation.name.value}'` : 'the operation';
          context.reportError(
            new GraphQLError(`${name} is nested ${depth} levels deep; the limit is ${maxDepth}`, {
              nodes: [operation],
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', maxDepth, depth },
            }),
          );
        }
      },
    };
  };
}

function selectionDepth(set: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, visiting: Set<string>): number {
  let deepest = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue;
      const below = selection.selectionSet ? selectionDepth(selection.selectionSet, fragments, visiting) : 0;
      deepest = Math.max(deepest, 1 + below);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, selectionDepth(selection.selectionSet, fragments, visiting));
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      // Unknown and cyclic fragments are reported by graphql's own rules; do not recurse forever.
      if (fragment === undefined || visiting.has(name)) continue;
      visiting.add(name);
      deepest = Math.max(deepest, selectionDepth(fragment.selectionSet, fragments, visiting));
      visiting.delete(name);
    }
  }
  return deepest;
}
