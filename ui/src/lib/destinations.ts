// The outbox destinations the dashboard manages, each a public REST resource (docs/events.md,
// docs/brokers.md): webhooks at /api/webhooks, brokers at /api/brokers/{type}. Same routes and
// keys for all; a broker's own settings are its `config` object.
export type DestinationKind = 'webhooks' | 'rabbitmq' | 'nats' | 'redis';

export const kinds: { key: DestinationKind; label: string }[] = [
  { key: 'webhooks', label: 'Webhooks' },
  { key: 'rabbitmq', label: 'RabbitMQ' },
  { key: 'nats', label: 'NATS' },
  { key: 'redis', label: 'Redis' },
];

export function isKind(value: string | undefined): value is DestinationKind {
  return kinds.some((k) => k.key === value);
}

export function basePath(kind: DestinationKind): string {
  return kind === 'webhooks' ? '/api/webhooks' : `/api/brokers/${kind}`;
}

export const actions = ['create', 'update', 'delete'] as const;

// A starting `config` for a new broker destination: the required URL and the main names, with
// the defaults docs/brokers.md lists.
export function configTemplate(kind: DestinationKind): string {
  const templates: Record<string, object> = {
    rabbitmq: { url: 'amqp://user:password@mq.internal:5672/', exchange: 'basalt', routingKey: '{collection}.{action}' },
    nats: { url: 'nats://nats.internal:4222', subjectPrefix: 'basalt', stream: 'BASALT' },
    redis: { url: 'redis://redis.internal:6379/0' },
  };
  return JSON.stringify(templates[kind] ?? {}, null, 2);
}

export interface Destination {
  id: string;
  type: string;
  url?: string;
  secret?: string;
  headers?: Record<string, string>;
  config?: Record<string, unknown>;
  collections: string[];
  actions: string[];
  filter: string;
  enabled: boolean;
  maxAttempts: number;
  created: string;
  updated: string;
}

export interface Delivery {
  id: string;
  seq: number;
  eventId: string;
  action: string;
  collectionName: string;
  status: string;
  httpStatus: number;
  attempt: number;
  durationMs: number;
  response: string;
  created: string;
}
