// Package testapi declares Widget, the custom resource of okt's own tests,
// and its CustomResourceDefinition.
package testapi
