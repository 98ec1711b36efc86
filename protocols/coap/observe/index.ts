// Observe (RFC 7641): the client (observe, freshness, the recorder for conformance checks) and
// the server side (ObservableResource with its ObserverRegistry).
export * from './freshness.js';
export { observe, type CancelOptions, type NotificationInfo, type ObserveEndReason, type ObserveHandle, type ObserveOptions, type ObserveSpec } from './observe-client.js';
export { ObserveRecorder, type ObserveCheck, type ObserveViolation, type RecordedNotification } from './observe-recorder.js';
export { type Observer, ObserverRegistry, type ObserverRemoval } from './observer-registry.js';
export { ObservableResource, type ObservableOptions } from './observable-resource.js';
