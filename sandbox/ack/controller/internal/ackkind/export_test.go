// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package ackkind

import (
	ackv1alpha1 "github.com/aws-controllers-k8s/runtime/apis/core/v1alpha1"
)

// ConditionsFor runs the error path of a Manager of kind on ko (tests only).
func ConditionsFor[T Object](kind *Kind[T], ko T, err error) ([]*ackv1alpha1.Condition, error) {
	m := &Manager[T]{kind: kind, env: &Env{Region: "us-east-1", Account: "123456789012", Partition: "aws"}}
	res, err := m.onError(ko, err)
	return res.(*Resource[T]).Conditions(), err
}
