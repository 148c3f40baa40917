// `linkaja-pay/server`: build the BFF inside your own Node app, and the types you need to do it.
export { createBff, type Bff, type BffOptions } from './create-bff.ts';
export { ConfigError, loadConfig, type Config } from './config.ts';
export { OrderError, type OrderErrorCode } from './orders/errors.ts';
export type { ResolveOrder } from './orders/sources.ts';
export type { LineItem } from './orders/line-items.ts';
export type { Logger } from './log.ts';
export type { Store } from './store/types.ts';
export type { EventBus } from './events/bus.ts';
