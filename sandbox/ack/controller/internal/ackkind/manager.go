// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package ackkind

import (
	"context"
	"fmt"
	"strings"
	"time"

	ackcompare "github.com/aws-controllers-k8s/runtime/pkg/compare"
	ackcondition "github.com/aws-controllers-k8s/runtime/pkg/condition"
	ackrequeue "github.com/aws-controllers-k8s/runtime/pkg/requeue"
	ackrt "github.com/aws-controllers-k8s/runtime/pkg/runtime"
	acktags "github.com/aws-controllers-k8s/runtime/pkg/tags"
	acktypes "github.com/aws-controllers-k8s/runtime/pkg/types"
	corev1 "k8s.io/api/core/v1"
	rtclient "sigs.k8s.io/controller-runtime/pkg/client"
)

// Manager is the kind's acktypes.AWSResourceManager for one (account, region, role).
type Manager[T Object] struct {
	kind *Kind[T]
	env  *Env
	ops  Ops[T]
}

func (m *Manager[T]) concrete(res acktypes.AWSResource) T { return res.(*Resource[T]).KO }

// result turns what an Ops call returned into what the runtime expects, with the conditions
// the generated onError/onSuccess would set (see conditions.go).
func (m *Manager[T]) result(fallback, ko T, err error) (acktypes.AWSResource, error) {
	if isNil(ko) {
		ko = fallback
	}
	if err != nil {
		return m.onError(ko, err)
	}
	return m.onSuccess(ko)
}

func (m *Manager[T]) ReadOne(ctx context.Context, res acktypes.AWSResource) (acktypes.AWSResource, error) {
	r := m.concrete(res)
	observed, err := m.ops.Find(ctx, r)
	if !isNil(observed) {
		m.mirrorAWSTags(r, observed)
	}
	return m.result(r, observed, err)
}

func (m *Manager[T]) Create(ctx context.Context, res acktypes.AWSResource) (acktypes.AWSResource, error) {
	r := m.concrete(res)
	created, err := m.ops.Create(ctx, r)
	return m.result(r, created, err)
}

func (m *Manager[T]) Update(
	ctx context.Context, desired, latest acktypes.AWSResource, delta *ackcompare.Delta,
) (acktypes.AWSResource, error) {
	updated, err := m.ops.Update(ctx, m.concrete(desired), m.concrete(latest), delta)
	return m.result(m.concrete(latest), updated, err)
}

func (m *Manager[T]) Delete(ctx context.Context, res acktypes.AWSResource) (acktypes.AWSResource, error) {
	r := m.concrete(res)
	observed, err := m.ops.Delete(ctx, r)
	if isNil(observed) && err == nil {
		return nil, nil
	}
	return m.result(r, observed, err)
}

func (m *Manager[T]) ARNFromName(name string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", m.env.Partition, strings.SplitN(m.kind.GVK.Group, ".", 2)[0],
		m.env.Region, m.env.Account, name)
}

// LateInitialize follows the generated one: read the resource again, copy the fields AWS
// defaulted, report ACK.LateInitialized, requeue after 5 s while a field is still missing.
func (m *Manager[T]) LateInitialize(ctx context.Context, latest acktypes.AWSResource) (acktypes.AWSResource, error) {
	if m.kind.LateInit == nil {
		return latest, nil
	}
	latestCopy := latest.DeepCopy()
	observed, err := m.ReadOne(ctx, latestCopy)
	if err != nil {
		msg, reason := "Unable to complete Read operation required for late initialization", "Late Initialization Failure"
		ackcondition.SetLateInitialized(latestCopy, corev1.ConditionFalse, &msg, &reason)
		ackcondition.SetSynced(latestCopy, corev1.ConditionFalse, nil, nil)
		return latestCopy, err
	}
	filled := m.concrete(latestCopy).DeepCopyObject().(T)
	m.kind.LateInit.Fill(m.concrete(observed), filled)
	res := m.kind.Wrap(filled)
	if m.kind.LateInit.Incomplete != nil && m.kind.LateInit.Incomplete(filled) {
		msg, reason := "Late initialization did not complete, requeuing with delay of 5 seconds", "Delayed Late Initialization"
		ackcondition.SetLateInitialized(res, corev1.ConditionFalse, &msg, &reason)
		ackcondition.SetSynced(res, corev1.ConditionFalse, nil, nil)
		return res, ackrequeue.NeededAfter(nil, 5*time.Second)
	}
	msg := "Late initialization successful"
	ackcondition.SetLateInitialized(res, corev1.ConditionTrue, &msg, &msg)
	return res, nil
}

func (m *Manager[T]) IsSynced(_ context.Context, res acktypes.AWSResource) (bool, error) {
	if m.kind.Synced == nil {
		return true, nil
	}
	return m.kind.Synced(m.concrete(res)), nil
}

// EnsureTags adds the controller's resource tags (--resource-tags) to the spec's tags without
// overriding the user's.
func (m *Manager[T]) EnsureTags(_ context.Context, res acktypes.AWSResource, md acktypes.ServiceControllerMetadata) error {
	if m.kind.Tags == nil {
		return nil
	}
	ko := m.concrete(res)
	defaults := ackrt.GetDefaultTags(&m.env.Cfg, ko, md)
	m.kind.Tags.Set(ko, acktags.Merge(m.kind.Tags.Get(ko), defaults))
	return nil
}

// FilterSystemTags drops aws:* tags and the controller's own tag keys from the spec.
func (m *Manager[T]) FilterSystemTags(res acktypes.AWSResource, systemTags []string) {
	if m.kind.Tags == nil || res == nil || isNil(m.concrete(res)) {
		return
	}
	ko := m.concrete(res)
	tags := m.kind.Tags.Get(ko)
	for key := range tags {
		if strings.HasPrefix(key, "aws:") || contains(systemTags, key) {
			delete(tags, key)
		}
	}
	m.kind.Tags.Set(ko, tags)
}

// mirrorAWSTags copies AWS's own aws:* tags from observed into desired, so they never show as drift.
func (m *Manager[T]) mirrorAWSTags(desired, observed T) {
	if m.kind.Tags == nil {
		return
	}
	tags := m.kind.Tags.Get(desired)
	for key, value := range m.kind.Tags.Get(observed) {
		if strings.HasPrefix(key, "aws:") {
			tags[key] = value
		}
	}
	m.kind.Tags.Set(desired, tags)
}

func (m *Manager[T]) ResolveReferences(
	ctx context.Context, reader rtclient.Reader, res acktypes.AWSResource,
) (acktypes.AWSResource, bool, error) {
	if m.kind.References == nil {
		return res, false, nil
	}
	ko := m.concrete(res)
	hasReferences, err := m.kind.References.Resolve(ctx, m.env, reader, ko)
	return m.kind.Wrap(ko), hasReferences, err
}

func (m *Manager[T]) ClearResolvedReferences(res acktypes.AWSResource) acktypes.AWSResource {
	ko := m.concrete(res).DeepCopyObject().(T)
	if m.kind.References != nil {
		m.kind.References.Clear(ko)
	}
	return m.kind.Wrap(ko)
}

func contains(list []string, s string) bool {
	for _, item := range list {
		if item == s {
			return true
		}
	}
	return false
}
