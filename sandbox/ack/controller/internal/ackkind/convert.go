// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package ackkind

// Int32 narrows a CR integer (int64, as ACK's CRDs have them) to the SDK's *int32.
func Int32(v *int64) *int32 {
	if v == nil {
		return nil
	}
	n := int32(*v)
	return &n
}

// Int64 widens an SDK *int32 to the CR's *int64.
func Int64(v *int32) *int64 {
	if v == nil {
		return nil
	}
	n := int64(*v)
	return &n
}
