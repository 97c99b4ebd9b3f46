# Copyright (c) ackops.serverless contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The ackops.serverless sandbox: etcd, kube-apiserver, kube-controller-manager, an OCI registry and moto
on 127.0.0.1, started and supervised by sandboxctl.py."""
