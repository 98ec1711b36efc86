// The engine's public surface: everything a protocol or a driver is written against.
export { Manager, type ManagerOptions, type ConnectOptions } from './manager.js';
export { Connection, type ConnRole } from './connection.js';
export { IoBuf } from './iobuf.js';
export {
  Ev,
  PROTO_EV_BASE,
  type EngineEvents,
  type EventMap,
  type EvArgs,
  type Handler,
  type LooseHandler,
  type RawHandler,
  type ProtoSlot,
  type RecvInfo,
  type SendInfo,
  type PollInfo,
  type TimerInfo,
  type CloseInfo,
} from './events.js';
export { HilrigError, describeError, type ErrorCode } from './errors.js';
export { type Clock, type ClockHandle, RealClock, ScaledClock, VirtualClock, realEpochNs } from './clock.js';
export { type Timer, TimerWheel } from './timers.js';
export { TraceTap, type TraceRecord, type TraceSubscriber, type ConnInfo, type TraceDir } from './trace-tap.js';
export type { Driver, DriverContext, LinkSink, ListenSink, LineControl, PeerTransport, Transport } from './driver.js';
export { type Decoded, type Malformed, ok, incomplete, malformed } from './codec.js';
