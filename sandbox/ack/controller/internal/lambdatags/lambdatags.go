// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

// Package lambdatags syncs the tags of a Lambda resource (function or event source mapping),
// which share one tagging API.
package lambdatags

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"ackops.local/sandbox/ack-controller/internal/ackkind"
)

// Sync untags what desired no longer has and tags what it adds or changes. With untagChanged,
// changed keys are untagged first too (the Function manager of lambda-controller does that).
func Sync(ctx context.Context, env *ackkind.Env, client *lambda.Client, arn *string,
	desired, latest map[string]*string, untagChanged bool) error {
	set, remove := ackkind.TagsDelta(ackkind.StringMap(desired), ackkind.StringMap(latest))
	if untagChanged {
		for k := range set {
			if _, ok := latest[k]; ok {
				remove = append(remove, k)
			}
		}
	}
	if len(remove) > 0 {
		_, err := client.UntagResource(ctx, &lambda.UntagResourceInput{Resource: arn, TagKeys: remove})
		env.Record("UPDATE", "UntagResource", err)
		if err != nil {
			return err
		}
	}
	if len(set) > 0 {
		_, err := client.TagResource(ctx, &lambda.TagResourceInput{Resource: arn, Tags: set})
		env.Record("UPDATE", "TagResource", err)
		return err
	}
	return nil
}
