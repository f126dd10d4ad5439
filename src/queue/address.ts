// The queue's address, `--queue redis://[USER:PASSWORD@]HOST[:PORT][/DB][?queue=NAME]`: checked into host,
// port, database and queue name before anything connects, and turned into the connection options BullMQ
// passes to ioredis. A refusal names `--queue` and never echoes a password.
import { AdversarialArgumentError } from '../core/validate';

/** A checked queue address. */
export interface QueueAddress {
  host: string;
  port: number;
  /** The Redis database, 0 unless the path names one (`/2`). */
  db: number;
  /** The BullMQ queue name (`?queue=NAME`), `tfjs-adversarial` by default. */
  queue: string;
  username?: string;
  password?: string;
  /** The address as given, its password replaced by `***` (for messages and reports). */
  display: string;
}

/** The BullMQ queue an address without `?queue=` names. */
export const DEFAULT_QUEUE_NAME = 'tfjs-adversarial';
/** The address's form, as refusals quote it. */
export const QUEUE_URL_FORM = 'redis://HOST:PORT[/DB][?queue=NAME]';
const NAME = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Checks a queue address. Throws `AdversarialArgumentError` naming `--queue` (under `op`) for anything
 * but a `redis:` URL with a host, a port in 1..65535, an optional database number and an optional
 * `queue` parameter of letters, digits, `.`, `_`, `-` (BullMQ forbids `:` in names).
 *
 * @example
 * parseQueueUrl('redis://10.0.0.5:6379/1?queue=cifar');
 * // { host: '10.0.0.5', port: 6379, db: 1, queue: 'cifar', display: 'redis://10.0.0.5:6379/1?queue=cifar' }
 */
export function parseQueueUrl(text: unknown, op = 'parseQueueUrl'): QueueAddress {
  const refuse = (why: string): never => {
    throw new AdversarialArgumentError(op, '--queue', `must be ${QUEUE_URL_FORM}: ${why}`);
  };
  if (typeof text !== 'string' || text.trim() === '') return refuse(`got ${typeof text === 'string' ? 'an empty string' : String(text)}`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse(`${JSON.stringify(text)} is not a URL`);
  }
  if (url.password) url.password = '***';
  const display = url.href;
  const shown = JSON.stringify(display);
  if (url.protocol !== 'redis:') refuse(`${shown} has the scheme ${url.protocol.replace(/:$/, '')}, not redis`);
  if (url.hostname === '') refuse(`${shown} names no host`);
  const port = url.port === '' ? 6379 : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) refuse(`${shown} has the port ${url.port}, not one in 1..65535`);
  const path = url.pathname.replace(/^\/+/, '').replace(/\/$/, '');
  if (path !== '' && !/^\d{1,9}$/.test(path)) refuse(`${shown} has the path /${path}; it may only name a database number (/0, /1, ...)`);
  if (url.hash) refuse(`${shown} has a fragment (${url.hash})`);
  const keys = [...url.searchParams.keys()];
  const unknown = keys.filter((k) => k !== 'queue');
  if (unknown.length > 0) refuse(`${shown} has the parameter ${unknown.join(', ')}; the only one is queue=NAME`);
  if (url.searchParams.getAll('queue').length > 1) refuse(`${shown} names the queue more than once`);
  const queue = url.searchParams.get('queue') ?? DEFAULT_QUEUE_NAME;
  if (!NAME.test(queue)) refuse(`${shown} has the queue name ${JSON.stringify(queue)}; a name is 1 to 100 letters, digits, '.', '_' or '-'`);
  const original = new URL(text);
  const address: QueueAddress = { host: url.hostname.replace(/^\[|\]$/g, ''), port, db: path === '' ? 0 : Number(path), queue, display };
  if (original.username) address.username = decodeURIComponent(original.username);
  if (original.password) address.password = decodeURIComponent(original.password);
  return address;
}

/** The ioredis options of an address (`blocking`: a worker's connection, which BullMQ wants without per-request retries). */
export function connectionOptions(address: QueueAddress, blocking: boolean): Record<string, unknown> {
  const options: Record<string, unknown> = { host: address.host, port: address.port, db: address.db, connectTimeout: 10_000 };
  if (address.username !== undefined) options.username = address.username;
  if (address.password !== undefined) options.password = address.password;
  if (blocking) options.maxRetriesPerRequest = null;
  return options;
}
