// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package ackkind

import (
	"errors"

	ackv1alpha1 "github.com/aws-controllers-k8s/runtime/apis/core/v1alpha1"
	ackerr "github.com/aws-controllers-k8s/runtime/pkg/errors"
	acktypes "github.com/aws-controllers-k8s/runtime/pkg/types"
	"github.com/aws/smithy-go"
	corev1 "k8s.io/api/core/v1"
)

// The generated onError/onSuccess/updateConditions: an AWS error whose code the kind lists as
// terminal (or an ackerr.TerminalError) sets ACK.Terminal=True and makes the reconcile error
// ackerr.Terminal; any other error sets ACK.Recoverable=True. Both carry the error message and
// no lastTransitionTime.

func (m *Manager[T]) onError(ko T, err error) (acktypes.AWSResource, error) {
	updated, changed := m.updateConditions(ko, err)
	if !changed {
		return m.kind.Wrap(ko), err
	}
	for _, c := range *conditionsOf(updated) {
		if c.Type == ackv1alpha1.ConditionTypeTerminal && c.Status == corev1.ConditionTrue {
			return m.kind.Wrap(updated), ackerr.Terminal
		}
	}
	return m.kind.Wrap(updated), err
}

func (m *Manager[T]) onSuccess(ko T) (acktypes.AWSResource, error) {
	updated, changed := m.updateConditions(ko, nil)
	if !changed {
		return m.kind.Wrap(ko), nil
	}
	return m.kind.Wrap(updated), nil
}

func (m *Manager[T]) updateConditions(in T, err error) (T, bool) {
	ko := in.DeepCopyObject().(T)
	m.env.SetStatusDefaults(ko)
	conditions := conditionsOf(ko)
	find := func(t ackv1alpha1.ConditionType) *ackv1alpha1.Condition {
		for _, c := range *conditions {
			if c.Type == t {
				return c
			}
		}
		return nil
	}
	ensure := func(t ackv1alpha1.ConditionType) *ackv1alpha1.Condition {
		if c := find(t); c != nil {
			return c
		}
		c := &ackv1alpha1.Condition{Type: t}
		*conditions = append(*conditions, c)
		return c
	}
	terminal := find(ackv1alpha1.ConditionTypeTerminal)
	recoverable := find(ackv1alpha1.ConditionTypeRecoverable)
	synced := find(ackv1alpha1.ConditionTypeResourceSynced)
	var termErr *ackerr.TerminalError
	ownTerminal := err == ackerr.SecretTypeNotSupported || err == ackerr.SecretNotFound || errors.As(err, &termErr)
	switch {
	case ownTerminal || m.terminalAWSError(err):
		terminal = ensure(ackv1alpha1.ConditionTypeTerminal)
		terminal.Status = corev1.ConditionTrue
		message := err.Error()
		if awsErr, ok := ackerr.AWSError(err); ok && !ownTerminal {
			message = awsErr.Error()
		}
		terminal.Message = &message
	default:
		if terminal != nil {
			terminal.Status, terminal.Message = corev1.ConditionFalse, nil
		}
		if err != nil {
			recoverable = ensure(ackv1alpha1.ConditionTypeRecoverable)
			recoverable.Status = corev1.ConditionTrue
			message := err.Error()
			if awsErr, ok := ackerr.AWSError(err); ok {
				message = awsErr.Error()
			}
			recoverable.Message = &message
		} else if recoverable != nil {
			recoverable.Status, recoverable.Message = corev1.ConditionFalse, nil
		}
	}
	return ko, terminal != nil || recoverable != nil || synced != nil
}

func (m *Manager[T]) terminalAWSError(err error) bool {
	var apiErr smithy.APIError
	return err != nil && errors.As(err, &apiErr) && contains(m.kind.TerminalCodes, apiErr.ErrorCode())
}
