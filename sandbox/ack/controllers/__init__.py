# Copyright (c) 2026 ackops.serverless contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Python stand-ins for the ACK sqs, dynamodb and lambda controllers (sandbox only)."""
