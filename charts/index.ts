// Public surface for a user's own cdk8s app.
export { FluxLight } from "./lib/fluxlight.ts";
export { FluxLightDelivery, type FluxLightDeliveryProps } from "./lib/delivery.ts";
export { FluxLightRemoteAccess, type FluxLightRemoteAccessProps } from "./lib/remote.ts";
export type { FluxLightProps, DeviceAccess, Resources, SecretKeyRef } from "./lib/props.ts";
export type { LightProps } from "./lib/lights.ts";
export { FLUX_KINDS, ALL_FLUX_KINDS, type FluxKindName } from "./lib/kinds.ts";
export { AGENT_RESOURCES } from "./lib/sizing.ts";
