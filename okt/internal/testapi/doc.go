// Package testapi declares Widget, the custom resource of okt's own tests,
// Gizmo, a Widget whose status holds the inventory of the objects okt
// created, and their CustomResourceDefinitions.
package testapi
