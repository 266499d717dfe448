/**
 * Does an OpenAPI document ("ours") still serve every client written against another ("seed")?
 * Pure: takes two parsed documents, returns one readable line per incompatibility.
 *
 * Schemas are compared by direction. A request schema of ours must accept everything the
 * seed lets clients send (types, null, enum values; require nothing more). A response schema
 * of ours must only produce what the seed promises (and keep what it requires). Either way,
 * every property the seed declares must exist in ours. Understands OpenAPI 3.0 (`nullable`)
 * and 3.1 (`type: [..., "null"]`, `anyOf` with a null branch) and `allOf` wrappers.
 */

type Json = Record<string, unknown>;
type Direction = "request" | "response";

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const asObject = (value: unknown): Json => (isObject(value) ? value : {});
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asStrings = (value: unknown): string[] => asArray(value).filter((item) => typeof item === "string");

/** The value a local `$ref` (`#/a/b`) points at; throws on a dangling reference. */
export function resolveRef(doc: Json, ref: string): unknown {
  if (!ref.startsWith("#/")) throw new Error(`Only local $refs are supported: ${ref}`);
  let node: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (!isObject(node) || !(key in node)) throw new Error(`Dangling $ref: ${ref}`);
    node = node[key];
  }
  return node;
}

interface Context {
  seed: Json;
  ours: Json;
  problems: string[];
}

export function compatibilityProblems(seed: Json, ours: Json): string[] {
  const context: Context = { seed, ours, problems: [] };
  for (const [path, seedPathItem] of Object.entries(asObject(seed.paths))) {
    const seedItem = asObject(seedPathItem);
    const oursItem = asObject(asObject(ours.paths)[path]);
    for (const method of METHODS) {
      const seedOperation = seedItem[method];
      if (!isObject(seedOperation)) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const oursOperation = oursItem[method];
      if (!isObject(oursOperation)) {
        context.problems.push(`${where}: missing in ours`);
        continue;
      }
      if (seedOperation.operationId !== oursOperation.operationId) {
        context.problems.push(`${where} operationId: seed ${String(seedOperation.operationId)}, ours ${String(oursOperation.operationId)}`);
      }
      compareParameters(context, where, [seedItem, seedOperation], [oursItem, oursOperation]);
      compareRequestBodies(context, where, seedOperation.requestBody, oursOperation.requestBody);
      compareResponses(context, where, asObject(seedOperation.responses), asObject(oursOperation.responses));
    }
  }
  return context.problems;
}

/** Path-level and operation-level parameters, `$ref`s resolved, keyed `in.name`. */
function parametersOf(doc: Json, levels: Json[]): Map<string, Json> {
  const parameters = levels.flatMap((level) => asArray(level.parameters)).map((parameter) => deref(doc, parameter).schema);
  return new Map(parameters.map((parameter) => [`${String(parameter.in)}.${String(parameter.name)}`, parameter]));
}

function compareParameters(context: Context, where: string, seedLevels: Json[], oursLevels: Json[]): void {
  const seed = parametersOf(context.seed, seedLevels);
  const ours = parametersOf(context.ours, oursLevels);
  for (const [key, seedParameter] of seed) {
    const oursParameter = ours.get(key);
    if (!oursParameter) {
      context.problems.push(`${where} parameter ${key}: missing in ours`);
      continue;
    }
    if (Boolean(seedParameter.required) !== Boolean(oursParameter.required)) {
      context.problems.push(
        `${where} parameter ${key}: seed required ${Boolean(seedParameter.required)}, ours ${Boolean(oursParameter.required)}`,
      );
    }
    compareSchemas(context, `${where} parameter ${key}`, seedParameter.schema, oursParameter.schema, "request");
  }
  for (const [key, oursParameter] of ours) {
    // Seed clients would never send it.
    if (oursParameter.required && !seed.has(key)) context.problems.push(`${where} parameter ${key}: required by ours, unknown to seed`);
  }
}

/** `label` for JSON, `label[media/type]` otherwise: JSON is the case worth keeping short. */
const mediaLabel = (label: string, media: string) => (media === "application/json" ? label : `${label}[${media}]`);
const isJson = (media: string) => media === "application/json" || media.endsWith("+json");

function compareRequestBodies(context: Context, where: string, seedInput: unknown, oursInput: unknown): void {
  if (seedInput === undefined) return;
  if (oursInput === undefined) {
    context.problems.push(`${where} requestBody: missing in ours`);
    return;
  }
  const seed = deref(context.seed, seedInput).schema;
  const ours = deref(context.ours, oursInput).schema;
  if (ours.required === true && seed.required !== true) context.problems.push(`${where} requestBody: required by ours, optional in seed`);
  compareContent(context, `${where} requestBody`, asObject(seed.content), asObject(ours.content), "request");
}

function compareResponses(context: Context, where: string, seed: Json, ours: Json): void {
  for (const [status, seedResponse] of Object.entries(seed)) {
    const label = `${where} responses.${status}`;
    if (!(status in ours)) {
      context.problems.push(`${label}: missing in ours`);
      continue;
    }
    const seedContent = asObject(deref(context.seed, seedResponse).schema.content);
    const oursContent = asObject(deref(context.ours, ours[status]).schema.content);
    compareContent(context, label, seedContent, oursContent, "response");
  }
}

/** Every media type the seed lists must be offered by ours; JSON bodies are compared schema by schema. */
function compareContent(context: Context, label: string, seed: Json, ours: Json, direction: Direction): void {
  for (const [media, seedMedia] of Object.entries(seed)) {
    const oursMedia = ours[media];
    if (!isObject(oursMedia)) {
      context.problems.push(`${label}[${media}]: missing in ours`);
      continue;
    }
    if (isJson(media)) compareSchemas(context, mediaLabel(label, media), asObject(seedMedia).schema, oursMedia.schema, direction);
  }
}

/** What the checker needs of one schema, after `$ref`, `allOf` and nullable unions are unfolded. */
interface Shape {
  /** The `$ref`(s) this shape came from, to stop on recursive schemas. */
  ref?: string;
  /** Non-null types allowed; undefined means any. */
  types?: Set<string>;
  nullable: boolean;
  enum?: unknown[];
  properties?: Json;
  required: string[];
  items?: unknown;
  additionalProperties?: unknown;
}

function deref(doc: Json, input: unknown): { schema: Json; ref?: string } {
  let schema = asObject(input);
  let ref: string | undefined;
  while (typeof schema.$ref === "string") {
    ref = schema.$ref;
    schema = asObject(resolveRef(doc, ref));
  }
  return { schema, ref };
}

/** `$ref`s followed and `allOf` parts merged into one schema (the "ref plus description" form). */
function flatten(doc: Json, input: unknown): { schema: Json; ref?: string } {
  const { schema, ref } = deref(doc, input);
  if (!Array.isArray(schema.allOf)) return { schema, ref };
  const parts = schema.allOf.map((part) => flatten(doc, part));
  const wrapper: Json = { ...schema };
  delete wrapper.allOf;
  const merged = [...parts.map((part) => part.schema), wrapper].reduce<Json>(
    (into, part) => ({
      ...into,
      ...part,
      properties: { ...asObject(into.properties), ...asObject(part.properties) },
      required: [...asStrings(into.required), ...asStrings(part.required)],
    }),
    {},
  );
  const partRefs = parts.flatMap((part) => (part.ref ? [part.ref] : []));
  return { schema: merged, ref: ref ?? (partRefs.join("&") || undefined) };
}

function shapeOf(doc: Json, input: unknown): Shape {
  const { schema, ref } = flatten(doc, input);
  const branches = asArray(schema.anyOf ?? schema.oneOf);
  if (branches.length > 0) return unionShape(doc, branches, ref, schema.nullable === true);
  const declared = typeof schema.type === "string" ? [schema.type] : Array.isArray(schema.type) ? asStrings(schema.type) : undefined;
  return {
    ref,
    types: declared ? new Set(declared.filter((type) => type !== "null")) : undefined,
    // An untyped schema accepts anything, null included.
    nullable: schema.nullable === true || declared === undefined || declared.includes("null"),
    enum: Array.isArray(schema.enum) ? schema.enum.filter((value) => value !== null) : undefined,
    properties: isObject(schema.properties) && Object.keys(schema.properties).length > 0 ? schema.properties : undefined,
    required: asStrings(schema.required),
    items: schema.items,
    additionalProperties: schema.additionalProperties,
  };
}

/** `anyOf`/`oneOf`: a single non-null branch keeps its structure (`T | null`); more are reduced to their types. */
function unionShape(doc: Json, branches: unknown[], ref: string | undefined, nullable: boolean): Shape {
  const shapes = branches.map((branch) => shapeOf(doc, branch));
  const nonNull = shapes.filter((shape) => shape.types === undefined || shape.types.size > 0);
  const anyNullable = nullable || shapes.some((shape) => shape.nullable);
  const only = nonNull.length === 1 ? nonNull[0] : undefined;
  if (only) return { ...only, ref: only.ref ?? ref, nullable: anyNullable };
  const untyped = nonNull.some((shape) => shape.types === undefined);
  const types = untyped ? undefined : new Set(nonNull.flatMap((shape) => [...(shape.types ?? [])]));
  return { ref, types, nullable: anyNullable, required: [] };
}

const accepts = (types: Set<string> | undefined, type: string) =>
  types === undefined || types.has(type) || (type === "integer" && types.has("number"));
const describeTypes = (types: Set<string> | undefined) => (types ? [...types].join("|") || "null" : "any");

function compareSchemas(
  context: Context,
  where: string,
  seedInput: unknown,
  oursInput: unknown,
  direction: Direction,
  stack: ReadonlySet<string> = new Set(),
): void {
  const seed = shapeOf(context.seed, seedInput);
  const ours = shapeOf(context.ours, oursInput);
  const pair = `${seed.ref}|${ours.ref}`;
  if (seed.ref && ours.ref && stack.has(pair)) return;
  const inner = seed.ref && ours.ref ? new Set([...stack, pair]) : stack;
  // Requests: ours must accept what the seed sends. Responses: the seed must accept what ours sends.
  const [wide, narrow] = direction === "request" ? [ours, seed] : [seed, ours];
  const report = (problem: string) => context.problems.push(`${where}: ${problem}`);

  const typesFit = narrow.types === undefined ? wide.types === undefined : [...narrow.types].every((type) => accepts(wide.types, type));
  if (!typesFit) report(`seed type ${describeTypes(seed.types)}, ours ${describeTypes(ours.types)}`);
  if (narrow.nullable && !wide.nullable) report(seed.nullable ? "seed nullable, ours not" : "ours nullable, seed not");
  compareEnums(report, seed, ours, direction);
  // A seed object without properties is free-form (its fields described in prose): ours may refine it.
  if (seed.properties) compareObjects(context, where, seed, ours, direction, inner);
  if (seed.items !== undefined) {
    if (ours.items === undefined) report("items missing in ours");
    else compareSchemas(context, `${where}.items`, seed.items, ours.items, direction, inner);
  }
  if (isObject(seed.additionalProperties) && isObject(ours.additionalProperties)) {
    compareSchemas(context, `${where}.additionalProperties`, seed.additionalProperties, ours.additionalProperties, direction, inner);
  }
}

function compareEnums(report: (problem: string) => void, seed: Shape, ours: Shape, direction: Direction): void {
  const [wide, narrow, wideName, narrowName] = direction === "request" ? [ours, seed, "ours", "seed"] : [seed, ours, "seed", "ours"];
  if (!wide.enum) return;
  if (!narrow.enum) {
    report(`${wideName} allows only ${JSON.stringify(wide.enum)}, ${narrowName} any value`);
    return;
  }
  for (const value of narrow.enum) {
    if (!wide.enum.includes(value)) report(`enum value ${JSON.stringify(value)} in ${narrowName}, not in ${wideName}`);
  }
}

function compareObjects(context: Context, where: string, seed: Shape, ours: Shape, direction: Direction, stack: ReadonlySet<string>): void {
  const oursProperties = ours.properties ?? {};
  for (const [name, seedProperty] of Object.entries(seed.properties ?? {})) {
    const label = `${where}.properties.${name}`;
    if (!(name in oursProperties)) context.problems.push(`${label}: missing in ours`);
    else compareSchemas(context, label, seedProperty, oursProperties[name], direction, stack);
  }
  if (direction === "request") {
    for (const name of ours.required) {
      if (!seed.required.includes(name)) context.problems.push(`${where}.required: ours requires ${name}, seed does not`);
    }
  } else {
    for (const name of seed.required) {
      if (!ours.required.includes(name)) context.problems.push(`${where}.required: seed requires ${name}, ours may omit it`);
    }
  }
}
