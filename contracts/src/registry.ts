import { z } from 'zod';
import { envelopeSchema, type Envelope, type EnvelopeHeader } from './envelope';
import { InvalidEventError, UnknownEventTypeError, type FieldError } from './errors';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from './fields';
import { envelopeFromRecorded, receivedAtOf, type RecordedEventInput, type Stored } from './storage';

/**
 * Turns version-n data into version n+1 data; it may read the rest of the envelope.
 * `any` because each upcaster is typed where it is declared (`withVersion`); the chain only stores them.
 */
export type Upcaster = (data: any, header: EnvelopeHeader) => unknown;

/** The versions of one event type's `data`, oldest first, and the upcasters between them. */
export interface EventDefinition<D extends z.ZodType = z.ZodType> {
  readonly dataSchemas: readonly z.ZodType[];
  /** `upcasters[0]` turns version-1 data into version-2 data, and so on. */
  readonly upcasters: readonly Upcaster[];
  readonly latest: D;
  /** Adds the next version. Earlier versions stay valid input and are upcast on read. */
  withVersion<N extends z.ZodType>(
    data: N,
    upcast: (previous: z.output<D>, header: EnvelopeHeader) => z.input<N>,
  ): EventDefinition<N>;
}

export function defineEvent<D extends z.ZodType>(data: D): EventDefinition<D> {
  return definition([data], []);
}

function definition<D extends z.ZodType>(dataSchemas: z.ZodType[], upcasters: Upcaster[]): EventDefinition<D> {
  return {
    dataSchemas,
    upcasters,
    latest: dataSchemas[dataSchemas.length - 1] as D,
    withVersion: (data, upcast) => definition([...dataSchemas, data], [...upcasters, upcast]),
  };
}

/** One type in a registry: its versions, the envelope schema of each, and the upcasters. */
export interface CatalogueEntry {
  readonly type: string;
  readonly versions: readonly number[];
  readonly latest: number;
  /** Envelope schema per version. */
  readonly schemas: Readonly<Record<number, z.ZodType>>;
  /** Data schema per version. */
  readonly dataSchemas: Readonly<Record<number, z.ZodType>>;
  /** `upcasters[n]` turns version-n data into version n+1. */
  readonly upcasters: Readonly<Record<number, Upcaster>>;
}

export type EventDefinitions = Readonly<Record<string, EventDefinition>>;

export type EventUnion<Defs extends EventDefinitions> = {
  [T in keyof Defs & string]: Envelope<T, z.output<Defs[T]['latest']>>;
}[keyof Defs & string];

/** Who decides a type: the service appending it and, where staff reach it through one API, that API. */
export interface Decider {
  readonly service: string;
  /** How it is decided, for the refusal an emitter gets, e.g. `the erasure API (POST /v1/customers/{id}/erasure)`. */
  readonly through?: string;
}

/**
 * The types of a family that only a Rapport service appends (its decisions), each with the
 * service that decides it. Emitters never send them; the catalogue refuses them by this map.
 */
export type DecidedTypes = Readonly<Record<string, Decider>>;

/** Declares `types` of a family (all of them unless named) as decided by `service` (through `through`, if given). */
export function decidedBy<Defs extends EventDefinitions>(
  service: string,
  definitions: Defs,
  types?: readonly (keyof Defs & string)[],
  through?: string,
): DecidedTypes {
  const decider: Decider = Object.freeze(through === undefined ? { service } : { service, through });
  return Object.freeze(Object.fromEntries((types ?? Object.keys(definitions)).map((type) => [type, decider])));
}

export type ParseResult<E> = { ok: true; event: E } | { ok: false; errors: FieldError[] };

export interface EventRegistry<Defs extends EventDefinitions> {
  readonly types: readonly (keyof Defs & string)[];
  entry(type: string): CatalogueEntry | undefined;
  isEventType(type: string): type is keyof Defs & string;
  /** Validates an emitted event (any known version) and returns it at the latest version. Never throws. */
  parseEvent(input: unknown): ParseResult<EventUnion<Defs>>;
  /** Reads a stored event back, upcast to the latest version; throws if it breaks its contract. */
  fromRecordedEvent(recorded: RecordedEventInput): Stored<EventUnion<Defs>>;
}

const MAX_ERRORS = 50;
const MAX_SHOWN_LENGTH = 100;

export function createEventRegistry<Defs extends EventDefinitions>(definitions: Defs): EventRegistry<Defs> {
  type E = EventUnion<Defs>;
  const entries = new Map<string, CatalogueEntry>(
    Object.entries(definitions).map(([type, definition]) => [type, catalogueEntry(type, definition)]),
  );

  function parseEvent(input: unknown): ParseResult<E> {
    try {
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        return failure('', 'expected an event object');
      }
      const { type, version } = input as Record<string, unknown>;
      if (typeof type !== 'string') return failure('type', type === undefined ? 'required' : 'must be a string');
      const entry = entries.get(type);
      if (!entry) return failure('type', `unknown event type '${shorten(type)}'`);
      const resolved = version === undefined ? entry.latest : version;
      if (!isKnownVersion(entry, resolved)) return failure('version', versionMessage(entry, version));
      const result = readVersion(entry, resolved, input);
      if (!result.ok) return result;
      // Every string of every type is checked here, so no field schema can forget it.
      const unstorable = unstorableStrings(result.event);
      return (unstorable.length > 0 ? { ok: false, errors: fieldErrors(unstorable) } : result) as ParseResult<E>;
    } catch (error) {
      // Inputs with throwing getters or proxies must still get an answer, not a crash.
      return failure('', `could not read the event: ${shorten(describeThrown(error))}`);
    }
  }

  function fromRecordedEvent(recorded: RecordedEventInput): Stored<E> {
    const entry = entries.get(recorded.type);
    if (!entry) throw new UnknownEventTypeError(recorded.type);
    const envelope = envelopeFromRecorded(recorded);
    // Events stored before a type had versions carry none: they are version 1.
    const version = envelope.version ?? 1;
    const receivedAt = receivedAtOf(recorded);
    const context = `stored event ${recorded.id} (${recorded.type}) at ${recorded.streamId}@${recorded.revision}`;
    if (!isKnownVersion(entry, version)) {
      throw new InvalidEventError(context, [{ path: 'version', message: versionMessage(entry, version) }]);
    }
    if (receivedAt === undefined) throw new InvalidEventError(context, [{ path: 'metadata.receivedAt', message: 'required' }]);
    const result = readVersion(entry, version, envelope);
    if (!result.ok) throw new InvalidEventError(context, result.errors);
    return {
      ...(result.event as E),
      receivedAt,
      streamId: recorded.streamId,
      revision: recorded.revision,
      position: recorded.position,
    } as Stored<E>;
  }

  return {
    types: [...entries.keys()] as (keyof Defs & string)[],
    entry: (type) => entries.get(type),
    isEventType: (type): type is keyof Defs & string => entries.has(type),
    parseEvent,
    fromRecordedEvent,
  };
}

function catalogueEntry(type: string, definition: EventDefinition): CatalogueEntry {
  const versions = definition.dataSchemas.map((_, index) => index + 1);
  return {
    type,
    versions,
    latest: versions.length,
    schemas: Object.fromEntries(versions.map((v) => [v, envelopeSchema(type, v, definition.dataSchemas[v - 1])])),
    dataSchemas: Object.fromEntries(versions.map((v) => [v, definition.dataSchemas[v - 1]])),
    upcasters: Object.fromEntries(definition.upcasters.map((upcast, index) => [index + 1, upcast])),
  };
}

function isKnownVersion(entry: CatalogueEntry, version: unknown): version is number {
  return typeof version === 'number' && Number.isInteger(version) && version >= 1 && version <= entry.latest;
}

function versionMessage(entry: CatalogueEntry, version: unknown): string {
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return 'must be a positive integer';
  return `unknown version ${version} of ${entry.type} (latest is ${entry.latest})`;
}

/** Validates input against one version's envelope, then upcasts its data step by step to the latest. */
function readVersion(entry: CatalogueEntry, version: number, input: unknown): ParseResult<Envelope<string, unknown>> {
  const schema = entry.schemas[version];
  const parsed = schema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: fieldErrors(explain(schema, input)) };
  const { id, type, data: original, version: _emitted, ...rest } = parsed.data as Envelope<string, unknown>;
  const header = { id, type, version: entry.latest, ...rest } as EnvelopeHeader;
  let data = original;
  for (let from = version; from < entry.latest; from++) data = entry.upcasters[from](data, header);
  if (version !== entry.latest) {
    // An upcaster is code like any other: check that what it produced is a valid latest version.
    const latest = entry.dataSchemas[entry.latest];
    const upcast = latest.safeParse(data);
    if (!upcast.success) {
      const errors = fieldErrors(explain(latest, data), ['data']);
      return { ok: false, errors: errors.map((e) => ({ ...e, message: `${e.message} (after upcasting from v${version})` })) };
    }
    data = upcast.data;
  }
  return { ok: true, event: { ...header, data } as Envelope<string, unknown> };
}

// Parsing again only for invalid input keeps the error map off the hot path (it halves parse speed).
function explain(schema: z.ZodType, input: unknown): readonly z.core.$ZodIssue[] {
  const result = schema.safeParse(input, {
    error: (issue) => (issue.input === undefined && issue.code !== 'custom' ? 'required' : undefined),
  });
  return result.error?.issues ?? [{ code: 'custom', path: [], message: 'invalid event', input }];
}

function fieldErrors(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): FieldError[] {
  const errors = issues.flatMap((issue): FieldError[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: dotted([...prefix, ...issue.path, key]), message: 'unknown field' }))
      : [{ path: dotted([...prefix, ...issue.path]), message: issue.message }],
  );
  if (errors.length <= MAX_ERRORS) return errors;
  return [...errors.slice(0, MAX_ERRORS), { path: '', message: `and ${errors.length - MAX_ERRORS} more errors` }];
}

/** Strings of a parsed event that PostgreSQL could not store, as issues at their paths. */
function unstorableStrings(value: unknown): z.core.$ZodIssue[] {
  // Nearly every event is clean: a walk that builds no paths settles that; paths only for the rare bad one.
  return holdsUnstorable(value) ? unstorableAt(value, [], []) : [];
}

function holdsUnstorable(value: unknown): boolean {
  if (typeof value === 'string') return !isStorableText(value);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    for (const child of value) if (holdsUnstorable(child)) return true;
    return false;
  }
  for (const key in value) {
    if (Object.hasOwn(value, key) && holdsUnstorable((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

function unstorableAt(value: unknown, path: PropertyKey[], issues: z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  if (typeof value === 'string') {
    if (!isStorableText(value)) issues.push({ code: 'custom', path, message: UNSTORABLE_TEXT_MESSAGE, input: value });
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) unstorableAt(child, [...path, key], issues);
  }
  return issues;
}

function describeThrown(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    return 'an unprintable value was thrown';
  }
}

function dotted(path: readonly PropertyKey[]): string {
  return path.map((key) => shorten(String(key))).join('.');
}

function shorten(value: string): string {
  return value.length > MAX_SHOWN_LENGTH ? `${value.slice(0, MAX_SHOWN_LENGTH)}…` : value;
}

function failure(path: string, message: string): { ok: false; errors: FieldError[] } {
  return { ok: false, errors: [{ path, message }] };
}
