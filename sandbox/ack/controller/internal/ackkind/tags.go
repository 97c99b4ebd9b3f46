// Copyright (c) ackops.serverless contributors
// Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

package ackkind

import (
	"sort"

	acktags "github.com/aws-controllers-k8s/runtime/pkg/tags"
)

// MapTags is the TagField of kinds whose spec.tags is a map (Queue, Function, EventSourceMapping).
func MapTags[T Object](tagsOf func(T) *map[string]*string) *TagField[T] {
	return &TagField[T]{
		Get: func(ko T) acktags.Tags {
			out := acktags.NewTags()
			for k, v := range *tagsOf(ko) {
				out[k] = deref(v)
			}
			return out
		},
		Set: func(ko T, tags acktags.Tags) {
			m := map[string]*string{}
			for k, v := range tags {
				m[k] = &v
			}
			*tagsOf(ko) = m
		},
	}
}

// StringMap turns a map of pointers (the CR form) into the SDK's map of strings.
func StringMap(m map[string]*string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = deref(v)
	}
	return out
}

// PointerMap is StringMap's inverse.
func PointerMap(m map[string]string) map[string]*string {
	if m == nil {
		return nil
	}
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = &v
	}
	return out
}

// TagsDelta is what a tag sync has to do to go from latest to desired.
func TagsDelta(desired, latest map[string]string) (set map[string]string, remove []string) {
	set = map[string]string{}
	for k, v := range desired {
		if old, ok := latest[k]; !ok || old != v {
			set[k] = v
		}
	}
	for k := range latest {
		if _, ok := desired[k]; !ok {
			remove = append(remove, k)
		}
	}
	sort.Strings(remove)
	return set, remove
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
