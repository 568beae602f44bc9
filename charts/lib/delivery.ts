// Optional: a Flux Bucket + Kustomization that deliver fluxlight from the rclone-served bucket,
// the way the homelab delivers everything else. Written as plain ApiObjects because `cdk8s import`
// (cdk8s-cli) is not installed here; test/charts validates them against the upstream CRD schemas.
import { ApiObject } from "cdk8s";
import { Construct } from "constructs";

export interface FluxLightDeliveryProps {
  /** Where Flux objects live. Default `flux-system`. */
  readonly namespace?: string;
  /**
   * Reuse an existing Bucket (e.g. the pipeline's `caddy-bucket`) instead of declaring one.
   * When unset, a Bucket named `fluxlight` is declared from `bucket`.
   */
  readonly existingBucket?: string;
  readonly bucket?: {
    /** Default `manifest-registry.flux-system.svc.cluster.local:80` (rclone serve s3). */
    readonly endpoint?: string;
    /** Default `dist`. */
    readonly bucketName?: string;
    /** Default true: rclone serves plain HTTP inside the cluster. */
    readonly insecure?: boolean;
    /** Default `30s`. */
    readonly interval?: string;
  };
  /** Directory in the bucket holding fluxlight's YAML. Default `./fluxlight`. */
  readonly path?: string;
  /** Default `2m`, like the pipeline's `main` Kustomization. */
  readonly interval?: string;
  /** Default `3m`. */
  readonly timeout?: string;
}

export class FluxLightDelivery extends Construct {
  constructor(scope: Construct, id: string, props: FluxLightDeliveryProps = {}) {
    super(scope, id);
    const namespace = props.namespace ?? "flux-system";
    const labels = { "app.kubernetes.io/name": "fluxlight", "app.kubernetes.io/component": "delivery" };
    let bucketName = props.existingBucket;
    if (bucketName === undefined) {
      bucketName = "fluxlight";
      const b = props.bucket ?? {};
      new ApiObject(this, "bucket", {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "Bucket",
        metadata: { name: bucketName, namespace, labels },
        spec: {
          provider: "generic",
          endpoint: b.endpoint ?? "manifest-registry.flux-system.svc.cluster.local:80",
          bucketName: b.bucketName ?? "dist",
          insecure: b.insecure ?? true,
          interval: b.interval ?? "30s",
        },
      });
    }
    new ApiObject(this, "kustomization", {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "fluxlight", namespace, labels },
      spec: {
        sourceRef: { kind: "Bucket", name: bucketName },
        path: props.path ?? "./fluxlight",
        interval: props.interval ?? "2m",
        retryInterval: props.interval ?? "2m",
        timeout: props.timeout ?? "3m",
        prune: true,
        // Ready only once the Deployment is: the light reports its own rollout like any other.
        wait: true,
      },
    });
  }
}
