#!/usr/bin/env bash
# Rolls out one overlay in the order the design needs (plain kubectl; no Helm or Argo hooks required):
#   1. the Secrets the manifests reference exist (they are never in this repository);
#   2. "prepare" phase: namespace, service account, config, network policies, Kafka topics, and the
#      migration Job (the previous run's Job is deleted first: a Job's pod template is immutable);
#   3. the topics are Ready (so no service auto-creates one with other partition counts) and the Job
#      completed; a failed migration stops here while the running version keeps serving;
#   4. everything else, then wait for every Deployment's rollout.
# Usage: k8s/rollout.sh <dev|prod|prod-keda>     Needs: kubectl, a cluster with Strimzi (KafkaTopic CRD),
# and for prod-keda KEDA (ScaledObject CRD).
set -euo pipefail

overlay="${1:?usage: k8s/rollout.sh <overlay> (one of: $(ls "$(dirname "$0")/overlays" | tr '\n' ' '))}"
dir="$(cd "$(dirname "$0")" && pwd)/overlays/${overlay}"
[ -d "$dir" ] || { echo "no overlay ${overlay} in k8s/overlays" >&2; exit 64; }

manifest="$(mktemp)"
trap 'rm -f "$manifest"' EXIT
kubectl kustomize "$dir" > "$manifest"
ns="$(grep -m1 '^  namespace: ' "$manifest" | awk '{print $2}')"
echo "--- ${overlay}: namespace ${ns}"

# kustomize prints secretKeyRef's fields sorted (key, name, optional): take each name not followed by
# `optional: true` (the first-admin Secret is optional).
required_secrets() {
  awk 'f == 2 { if ($0 !~ /optional: true/) print name; f = 0 }
       /secretKeyRef:/ { f = 1; next }
       f == 1 && /name:/ { name = $2; f = 2 }' "$manifest" | sort -u
}
missing=""
for secret in $(required_secrets); do
  kubectl get secret -n "$ns" "$secret" >/dev/null 2>&1 || missing="${missing} ${secret}"
done
if [ -n "$missing" ]; then
  echo "missing Secrets in ${ns}:${missing} (see k8s/README.md)" >&2
  exit 1
fi

echo "--- prepare: config, network policies, topics, migration Job"
kubectl delete job -n "$ns" switchboard-migrate --ignore-not-found --wait=true
kubectl apply -f "$manifest" -l 'switchboard.io/rollout-phase=prepare'

echo "--- waiting for Kafka topics"
kubectl wait -n "$ns" kafkatopic -l strimzi.io/cluster=switchboard --for=condition=Ready --timeout=5m

echo "--- waiting for the migration Job"
for _ in $(seq 1 190); do # activeDeadlineSeconds is 900
  state="$(kubectl get job -n "$ns" switchboard-migrate -o jsonpath='{.status.conditions[?(@.status=="True")].type}')"
  case "$state" in
    *Complete*) echo "migrations done"; break ;;
    *Failed*)
      kubectl logs -n "$ns" job/switchboard-migrate --tail=50 >&2 || true
      echo "migration failed: rollout stopped, the running version is untouched" >&2
      exit 1 ;;
  esac
  sleep 5
done
case "$state" in *Complete*) ;; *) echo "migration Job did not finish" >&2; exit 1 ;; esac

echo "--- applying ${overlay}"
kubectl apply -f "$manifest"
for deployment in $(kubectl get deployment -n "$ns" -l app.kubernetes.io/part-of=switchboard -o name); do
  kubectl rollout status -n "$ns" "$deployment" --timeout=10m
done
echo "--- ${overlay} rolled out"
