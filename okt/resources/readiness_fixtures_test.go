package resources_test

// readinessFixtures are live objects as the API server returns them (fields
// left out when the server leaves them out), one per state worth telling
// apart. The table test reads each with kstatus and with okt. Every object
// is named "subject": no message may name it. In creationTimestamp,
// {{now}} and {{now-1h}} stand for the time the test runs and an hour
// before (kstatus reads the real clock for Pods).
var readinessFixtures = []struct{ name, yaml string }{
	// Deployment
	{"Deployment/rolled out", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: subject, namespace: ns, generation: 2}
spec: {replicas: 3, progressDeadlineSeconds: 600}
status:
  observedGeneration: 2
  replicas: 3
  updatedReplicas: 3
  readyReplicas: 3
  availableReplicas: 3
  conditions:
  - {type: Available, status: "True", reason: MinimumReplicasAvailable, message: Deployment has minimum availability.}
  - {type: Progressing, status: "True", reason: NewReplicaSetAvailable, message: ReplicaSet "subject-7d9f" has successfully progressed.}
`},
	{"Deployment/created, no status yet", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: subject, namespace: ns, generation: 1}
spec: {replicas: 3, progressDeadlineSeconds: 600}
`},
	{"Deployment/generation not observed", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: subject, namespace: ns, generation: 3}
spec: {replicas: 3, progressDeadlineSeconds: 600}
status:
  observedGeneration: 2
  replicas: 3
  updatedReplicas: 3
  readyReplicas: 3
  availableReplicas: 3
  conditions:
  - {type: Available, status: "True", reason: MinimumReplicasAvailable}
  - {type: Progressing, status: "True", reason: NewReplicaSetAvailable}
`},
	{"Deployment/updating", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: subject, namespace: ns, generation: 3}
spec: {replicas: 3, progressDeadlineSeconds: 600}
status:
  observedGeneration: 3
  replicas: 4
  updatedReplicas: 1
  readyReplicas: 3
  availableReplicas: 3
  unavailableReplicas: 1
  conditions:
  - {type: Available, status: "True", reason: MinimumReplicasAvailable}
  - {type: Progressing, status: "True", reason: ReplicaSetUpdated}
`},
	{"Deployment/extra pods, old replicas terminating", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: subject, namespace: ns, generation: 3}
spec: {replicas: 3, progressDeadlineSeconds: 600}
status:
  observedGeneration: 3
  replicas: 4
  updatedReplicas: 3
  readyReplicas: 4
  availableReplicas: 4
  conditions:
  - {type: Available, status: "True", reason: MinimumReplicasAvailable}
  - {type: Progressing, status: "True", reason: ReplicaSetUpdated}
`},
	{"Deployment/no replica available", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: subject, namespace: ns, generation: 1}
spec: {replicas: 3, progressDeadlineSeconds: 600}
status:
  observedGeneration: 1
  replicas: 3
  updatedReplicas: 3
  unavailableReplicas: 3
  conditions:
  - {type: Available, status: "False", reason: MinimumReplicasUnavailable}
  - {type: Progressing, status: "True", reason: ReplicaSetUpdated}
`},
	{"Deployment/available, not all ready", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: subject, namespace: ns, generation: 1}
spec: {replicas: 3, progressDeadlineSeconds: 600, minReadySeconds: 0}
status:
  observedGeneration: 1
  replicas: 3
  updatedReplicas: 3
  readyReplicas: 2
  availableReplicas: 3
  conditions:
  - {type: Available, status: "True", reason: MinimumReplicasAvailable}
  - {type: Progressing, status: "True", reason: NewReplicaSetAvailable}
`},
	{"Deployment/counts met, new ReplicaSet not reported available", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: subject, namespace: ns, generation: 2}
spec: {replicas: 2, progressDeadlineSeconds: 600}
status:
  observedGeneration: 2
  replicas: 2
  updatedReplicas: 2
  readyReplicas: 2
  availableReplicas: 2
  conditions:
  - {type: Available, status: "True", reason: MinimumReplicasAvailable}
  - {type: Progressing, status: "True", reason: ReplicaSetUpdated}
`},
	{"Deployment/counts met, Available False", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: subject, namespace: ns, generation: 2}
spec: {replicas: 2, progressDeadlineSeconds: 600}
status:
  observedGeneration: 2
  replicas: 2
  updatedReplicas: 2
  readyReplicas: 2
  availableReplicas: 2
  conditions:
  - {type: Available, status: "False", reason: MinimumReplicasUnavailable}
  - {type: Progressing, status: "True", reason: NewReplicaSetAvailable}
`},
	{"Deployment/progress deadline exceeded", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: subject, namespace: ns, generation: 4}
spec: {replicas: 3, progressDeadlineSeconds: 60}
status:
  observedGeneration: 4
  replicas: 4
  updatedReplicas: 1
  readyReplicas: 3
  availableReplicas: 3
  unavailableReplicas: 1
  conditions:
  - {type: Available, status: "True", reason: MinimumReplicasAvailable}
  - {type: Progressing, status: "False", reason: ProgressDeadlineExceeded, message: ReplicaSet "subject-5c" has timed out progressing.}
`},
	{"Deployment/no progressDeadlineSeconds, rolled out", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: subject, namespace: ns, generation: 1}
spec: {replicas: 2}
status:
  observedGeneration: 1
  replicas: 2
  updatedReplicas: 2
  readyReplicas: 2
  availableReplicas: 2
  conditions:
  - {type: Available, status: "True", reason: MinimumReplicasAvailable}
`},
	{"Deployment/progressDeadlineSeconds MaxInt32 (none), rolled out", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: subject, namespace: ns, generation: 1}
spec: {replicas: 2, progressDeadlineSeconds: 2147483647}
status:
  observedGeneration: 1
  replicas: 2
  updatedReplicas: 2
  readyReplicas: 2
  availableReplicas: 2
  conditions:
  - {type: Available, status: "True", reason: MinimumReplicasAvailable}
`},
	{"Deployment/scaled to 0", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: subject, namespace: ns, generation: 5}
spec: {replicas: 0, progressDeadlineSeconds: 600}
status:
  observedGeneration: 5
  conditions:
  - {type: Available, status: "True", reason: MinimumReplicasAvailable}
  - {type: Progressing, status: "True", reason: NewReplicaSetAvailable}
`},
	{"Deployment/being deleted", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: subject, namespace: ns, generation: 2, deletionTimestamp: "2025-01-01T00:00:00Z", finalizers: [foregroundDeletion]}
spec: {replicas: 1, progressDeadlineSeconds: 600}
status:
  observedGeneration: 2
  replicas: 1
  updatedReplicas: 1
  readyReplicas: 1
  availableReplicas: 1
  conditions:
  - {type: Available, status: "True", reason: MinimumReplicasAvailable}
  - {type: Progressing, status: "True", reason: NewReplicaSetAvailable}
`},

	// StatefulSet (the API server sets a partition, 0 by default, on a
	// RollingUpdate StatefulSet)
	{"StatefulSet/rolled out", `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: subject, namespace: ns, generation: 2}
spec:
  replicas: 3
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0}}
status:
  observedGeneration: 2
  replicas: 3
  readyReplicas: 3
  currentReplicas: 3
  updatedReplicas: 3
  availableReplicas: 3
  currentRevision: subject-6b
  updateRevision: subject-6b
`},
	{"StatefulSet/created, no status yet", `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: subject, namespace: ns, generation: 1}
spec:
  replicas: 3
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0}}
`},
	{"StatefulSet/generation not observed", `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: subject, namespace: ns, generation: 3}
spec:
  replicas: 3
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0}}
status:
  observedGeneration: 2
  replicas: 3
  readyReplicas: 3
  currentReplicas: 3
  updatedReplicas: 3
  availableReplicas: 3
  currentRevision: subject-6b
  updateRevision: subject-6b
`},
	{"StatefulSet/rolling update under way", `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: subject, namespace: ns, generation: 3}
spec:
  replicas: 3
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0}}
status:
  observedGeneration: 3
  replicas: 3
  readyReplicas: 3
  currentReplicas: 2
  updatedReplicas: 1
  availableReplicas: 3
  currentRevision: subject-6b
  updateRevision: subject-7c
`},
	{"StatefulSet/partition rollout started", `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: subject, namespace: ns, generation: 3}
spec:
  replicas: 3
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}
status:
  observedGeneration: 3
  replicas: 3
  readyReplicas: 3
  currentReplicas: 3
  availableReplicas: 3
  currentRevision: subject-6b
  updateRevision: subject-7c
`},
	{"StatefulSet/partition rollout done", `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: subject, namespace: ns, generation: 3}
spec:
  replicas: 3
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}
status:
  observedGeneration: 3
  replicas: 3
  readyReplicas: 3
  currentReplicas: 2
  updatedReplicas: 1
  availableReplicas: 3
  currentRevision: subject-6b
  updateRevision: subject-7c
`},
	{"StatefulSet/revision mismatch, no partition", `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: subject, namespace: ns, generation: 3}
spec:
  replicas: 2
  updateStrategy: {type: RollingUpdate}
status:
  observedGeneration: 3
  replicas: 2
  readyReplicas: 2
  currentReplicas: 2
  updatedReplicas: 2
  currentRevision: subject-6b
  updateRevision: subject-7c
`},
	{"StatefulSet/fewer current replicas, no partition", `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: subject, namespace: ns, generation: 3}
spec:
  replicas: 2
status:
  observedGeneration: 3
  replicas: 2
  readyReplicas: 2
  currentReplicas: 1
  updatedReplicas: 1
  currentRevision: subject-6b
  updateRevision: subject-7c
`},
	{"StatefulSet/extra pods", `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: subject, namespace: ns, generation: 4}
spec:
  replicas: 2
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0}}
status:
  observedGeneration: 4
  replicas: 3
  readyReplicas: 3
  currentReplicas: 3
  updatedReplicas: 3
  availableReplicas: 3
  currentRevision: subject-6b
  updateRevision: subject-6b
`},
	{"StatefulSet/fewer ready", `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: subject, namespace: ns, generation: 1}
spec:
  replicas: 3
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0}}
status:
  observedGeneration: 1
  replicas: 3
  readyReplicas: 2
  currentReplicas: 3
  updatedReplicas: 3
  availableReplicas: 2
  currentRevision: subject-6b
  updateRevision: subject-6b
`},
	{"StatefulSet/ready, not yet available (minReadySeconds)", `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: subject, namespace: ns, generation: 1}
spec:
  replicas: 3
  minReadySeconds: 30
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0}}
status:
  observedGeneration: 1
  replicas: 3
  readyReplicas: 3
  currentReplicas: 3
  updatedReplicas: 3
  availableReplicas: 1
  currentRevision: subject-6b
  updateRevision: subject-6b
`},
	{"StatefulSet/scaled to 0", `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: subject, namespace: ns, generation: 2}
spec:
  replicas: 0
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0}}
status:
  observedGeneration: 2
  replicas: 0
  availableReplicas: 0
  currentRevision: subject-6b
  updateRevision: subject-6b
`},
	{"StatefulSet/OnDelete, all ready, revision mismatch", `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: subject, namespace: ns, generation: 3}
spec:
  replicas: 3
  updateStrategy: {type: OnDelete}
status:
  observedGeneration: 3
  replicas: 3
  readyReplicas: 3
  currentReplicas: 3
  availableReplicas: 3
  currentRevision: subject-6b
  updateRevision: subject-7c
`},
	{"StatefulSet/OnDelete, fewer ready", `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: subject, namespace: ns, generation: 1}
spec:
  replicas: 3
  updateStrategy: {type: OnDelete}
status:
  observedGeneration: 1
  replicas: 3
  readyReplicas: 1
  currentReplicas: 3
  updatedReplicas: 3
  availableReplicas: 1
  currentRevision: subject-6b
  updateRevision: subject-6b
`},
	{"StatefulSet/OnDelete, created, no status yet", `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: subject, namespace: ns, generation: 1}
spec:
  replicas: 3
  updateStrategy: {type: OnDelete}
`},

	// DaemonSet (the counts are always written, zero or not)
	{"DaemonSet/rolled out", `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: subject, namespace: ns, generation: 2}
status:
  observedGeneration: 2
  desiredNumberScheduled: 3
  currentNumberScheduled: 3
  updatedNumberScheduled: 3
  numberAvailable: 3
  numberReady: 3
  numberMisscheduled: 0
`},
	{"DaemonSet/no observedGeneration", `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: subject, namespace: ns, generation: 1}
status:
  desiredNumberScheduled: 0
  currentNumberScheduled: 0
  numberReady: 0
  numberMisscheduled: 0
`},
	{"DaemonSet/generation not observed", `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: subject, namespace: ns, generation: 3}
status:
  observedGeneration: 2
  desiredNumberScheduled: 3
  currentNumberScheduled: 3
  updatedNumberScheduled: 3
  numberAvailable: 3
  numberReady: 3
  numberMisscheduled: 0
`},
	{"DaemonSet/updating", `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: subject, namespace: ns, generation: 3}
status:
  observedGeneration: 3
  desiredNumberScheduled: 3
  currentNumberScheduled: 3
  updatedNumberScheduled: 2
  numberAvailable: 3
  numberReady: 3
  numberMisscheduled: 0
`},
	{"DaemonSet/fewer available", `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: subject, namespace: ns, generation: 1}
status:
  observedGeneration: 1
  desiredNumberScheduled: 3
  currentNumberScheduled: 3
  updatedNumberScheduled: 3
  numberAvailable: 1
  numberUnavailable: 2
  numberReady: 1
  numberMisscheduled: 0
`},
	{"DaemonSet/on no node", `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: subject, namespace: ns, generation: 1}
status:
  observedGeneration: 1
  desiredNumberScheduled: 0
  currentNumberScheduled: 0
  numberReady: 0
  numberMisscheduled: 0
`},

	// ReplicaSet
	{"ReplicaSet/all ready", `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: subject, namespace: ns, generation: 1}
spec: {replicas: 4}
status: {observedGeneration: 1, replicas: 4, fullyLabeledReplicas: 4, readyReplicas: 4, availableReplicas: 4}
`},
	{"ReplicaSet/2 of 4 ready", `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: subject, namespace: ns, generation: 1}
spec: {replicas: 4}
status: {observedGeneration: 1, replicas: 4, fullyLabeledReplicas: 4, readyReplicas: 2, availableReplicas: 2}
`},
	{"ReplicaSet/ReplicaFailure (quota exceeded)", `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: subject, namespace: ns, generation: 1}
spec: {replicas: 4}
status:
  observedGeneration: 1
  replicas: 2
  fullyLabeledReplicas: 2
  readyReplicas: 2
  availableReplicas: 2
  conditions:
  - {type: ReplicaFailure, status: "True", reason: FailedCreate, message: 'pods "subject-x" is forbidden: exceeded quota: pods'}
`},

	// Pod
	{"Pod/Pending, not scheduled yet", `
apiVersion: v1
kind: Pod
metadata: {name: subject, namespace: ns, creationTimestamp: "{{now}}"}
spec: {containers: [{name: app, image: app:1}]}
status: {phase: Pending, qosClass: BestEffort}
`},
	{"Pod/Pending, containers being created", `
apiVersion: v1
kind: Pod
metadata: {name: subject, namespace: ns, creationTimestamp: "{{now-1h}}"}
spec: {containers: [{name: app, image: app:1}], nodeName: node-1}
status:
  phase: Pending
  conditions:
  - {type: PodScheduled, status: "True"}
  containerStatuses:
  - {name: app, image: app:1, imageID: "", ready: false, restartCount: 0, state: {waiting: {reason: ContainerCreating}}}
`},
	{"Pod/Pending, unschedulable within the schedule window", `
apiVersion: v1
kind: Pod
metadata: {name: subject, namespace: ns, creationTimestamp: "{{now}}"}
spec: {containers: [{name: app, image: app:1}]}
status:
  phase: Pending
  conditions:
  - {type: PodScheduled, status: "False", reason: Unschedulable, message: "0/3 nodes are available: 3 Insufficient cpu."}
`},
	{"Pod/Pending, unschedulable past the schedule window", `
apiVersion: v1
kind: Pod
metadata: {name: subject, namespace: ns, creationTimestamp: "{{now-1h}}"}
spec: {containers: [{name: app, image: app:1}]}
status:
  phase: Pending
  conditions:
  - {type: PodScheduled, status: "False", reason: Unschedulable, message: "0/3 nodes are available: 3 Insufficient cpu."}
`},
	{"Pod/Pending, an init container crash-looping", `
apiVersion: v1
kind: Pod
metadata: {name: subject, namespace: ns, creationTimestamp: "{{now-1h}}"}
spec: {initContainers: [{name: migrate, image: app:1}], containers: [{name: app, image: app:1}], nodeName: node-1}
status:
  phase: Pending
  conditions:
  - {type: PodScheduled, status: "True"}
  - {type: Initialized, status: "False", reason: ContainersNotInitialized}
  initContainerStatuses:
  - {name: migrate, image: app:1, imageID: "", ready: false, restartCount: 6, state: {waiting: {reason: CrashLoopBackOff}}}
  containerStatuses:
  - {name: app, image: app:1, imageID: "", ready: false, restartCount: 0, state: {waiting: {reason: PodInitializing}}}
`},
	{"Pod/Running and Ready", `
apiVersion: v1
kind: Pod
metadata: {name: subject, namespace: ns, creationTimestamp: "{{now-1h}}"}
spec: {containers: [{name: app, image: app:1}], nodeName: node-1}
status:
  phase: Running
  conditions:
  - {type: PodScheduled, status: "True"}
  - {type: Initialized, status: "True"}
  - {type: ContainersReady, status: "True"}
  - {type: Ready, status: "True"}
  containerStatuses:
  - {name: app, image: app:1, imageID: "", ready: true, restartCount: 0, started: true, state: {running: {startedAt: "2025-01-01T00:00:00Z"}}}
`},
	{"Pod/Running, not ready", `
apiVersion: v1
kind: Pod
metadata: {name: subject, namespace: ns, creationTimestamp: "{{now-1h}}"}
spec: {containers: [{name: app, image: app:1}], nodeName: node-1}
status:
  phase: Running
  conditions:
  - {type: PodScheduled, status: "True"}
  - {type: ContainersReady, status: "False", reason: ContainersNotReady}
  - {type: Ready, status: "False", reason: ContainersNotReady}
  containerStatuses:
  - {name: app, image: app:1, imageID: "", ready: false, restartCount: 0, started: true, state: {running: {startedAt: "2025-01-01T00:00:00Z"}}}
`},
	{"Pod/Running, a container in CrashLoopBackOff", `
apiVersion: v1
kind: Pod
metadata: {name: subject, namespace: ns, creationTimestamp: "{{now-1h}}"}
spec: {containers: [{name: app, image: app:1}, {name: sidecar, image: side:1}], nodeName: node-1}
status:
  phase: Running
  conditions:
  - {type: PodScheduled, status: "True"}
  - {type: Ready, status: "False", reason: ContainersNotReady}
  containerStatuses:
  - {name: app, image: app:1, imageID: "", ready: false, restartCount: 5, state: {waiting: {reason: CrashLoopBackOff, message: back-off 2m40s restarting failed container}}}
  - {name: sidecar, image: side:1, imageID: "", ready: true, restartCount: 0, state: {running: {startedAt: "2025-01-01T00:00:00Z"}}}
`},
	{"Pod/Succeeded", `
apiVersion: v1
kind: Pod
metadata: {name: subject, namespace: ns, creationTimestamp: "{{now-1h}}"}
spec: {containers: [{name: app, image: app:1}], restartPolicy: Never, nodeName: node-1}
status:
  phase: Succeeded
  conditions:
  - {type: Ready, status: "False", reason: PodCompleted}
`},
	{"Pod/Failed", `
apiVersion: v1
kind: Pod
metadata: {name: subject, namespace: ns, creationTimestamp: "{{now-1h}}"}
spec: {containers: [{name: app, image: app:1}], restartPolicy: Never, nodeName: node-1}
status:
  phase: Failed
  conditions:
  - {type: Ready, status: "False", reason: PodFailed}
  containerStatuses:
  - {name: app, image: app:1, imageID: "", ready: false, restartCount: 0, state: {terminated: {exitCode: 1, reason: Error}}}
`},
	{"Pod/Failed, evicted", `
apiVersion: v1
kind: Pod
metadata: {name: subject, namespace: ns, creationTimestamp: "{{now-1h}}"}
spec: {containers: [{name: app, image: app:1}], nodeName: node-1}
status:
  phase: Failed
  reason: Evicted
  message: "The node was low on resource: memory."
`},
	{"Pod/no phase yet", `
apiVersion: v1
kind: Pod
metadata: {name: subject, namespace: ns, creationTimestamp: "{{now}}"}
spec: {containers: [{name: app, image: app:1}]}
`},
	{"Pod/phase Unknown", `
apiVersion: v1
kind: Pod
metadata: {name: subject, namespace: ns, creationTimestamp: "{{now-1h}}"}
spec: {containers: [{name: app, image: app:1}], nodeName: node-1}
status: {phase: Unknown}
`},
	{"Pod/being deleted", `
apiVersion: v1
kind: Pod
metadata: {name: subject, namespace: ns, creationTimestamp: "{{now-1h}}", deletionTimestamp: "2025-01-01T00:00:00Z", deletionGracePeriodSeconds: 30}
spec: {containers: [{name: app, image: app:1}], nodeName: node-1}
status:
  phase: Running
  conditions:
  - {type: Ready, status: "True"}
`},

	// PersistentVolumeClaim
	{"PersistentVolumeClaim/Pending", `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: subject, namespace: ns}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
status: {phase: Pending}
`},
	{"PersistentVolumeClaim/Bound", `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: subject, namespace: ns}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}, volumeName: pv-1}
status: {phase: Bound, accessModes: [ReadWriteOnce], capacity: {storage: 1Gi}}
`},
	{"PersistentVolumeClaim/Lost", `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: subject, namespace: ns}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}, volumeName: pv-1}
status: {phase: Lost}
`},

	// PodDisruptionBudget
	{"PodDisruptionBudget/generation not observed", `
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: subject, namespace: ns, generation: 2}
spec: {minAvailable: 1}
status: {observedGeneration: 1, currentHealthy: 2, desiredHealthy: 1, disruptionsAllowed: 1, expectedPods: 2}
`},
	{"PodDisruptionBudget/observed", `
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: subject, namespace: ns, generation: 2}
spec: {minAvailable: 1}
status:
  observedGeneration: 2
  currentHealthy: 2
  desiredHealthy: 1
  disruptionsAllowed: 1
  expectedPods: 2
  conditions:
  - {type: DisruptionAllowed, status: "True", reason: SufficientPods, message: "", lastTransitionTime: "2025-01-01T00:00:00Z"}
`},

	// Job
	{"Job/created, no status yet", `
apiVersion: batch/v1
kind: Job
metadata: {name: subject, namespace: ns, generation: 1}
spec: {completions: 1, parallelism: 1, backoffLimit: 6}
`},
	{"Job/running", `
apiVersion: batch/v1
kind: Job
metadata: {name: subject, namespace: ns, generation: 1}
spec: {completions: 1, parallelism: 1, backoffLimit: 6}
status: {startTime: "2025-01-01T00:00:00Z", active: 1, ready: 1}
`},
	{"Job/suspended after it started", `
apiVersion: batch/v1
kind: Job
metadata: {name: subject, namespace: ns, generation: 2}
spec: {completions: 3, parallelism: 1, suspend: true}
status:
  startTime: "2025-01-01T00:00:00Z"
  succeeded: 1
  conditions:
  - {type: Suspended, status: "True", reason: JobSuspended, message: Job suspended}
`},
	{"Job/created suspended", `
apiVersion: batch/v1
kind: Job
metadata: {name: subject, namespace: ns, generation: 1}
spec: {completions: 1, parallelism: 1, suspend: true}
status:
  conditions:
  - {type: Suspended, status: "True", reason: JobSuspended, message: Job suspended}
`},
	{"Job/complete", `
apiVersion: batch/v1
kind: Job
metadata: {name: subject, namespace: ns, generation: 1}
spec: {completions: 1, parallelism: 1}
status:
  startTime: "2025-01-01T00:00:00Z"
  completionTime: "2025-01-01T00:01:00Z"
  succeeded: 1
  conditions:
  - {type: SuccessCriteriaMet, status: "True", reason: CompletionsReached}
  - {type: Complete, status: "True", reason: CompletionsReached}
`},
	{"Job/failed", `
apiVersion: batch/v1
kind: Job
metadata: {name: subject, namespace: ns, generation: 1}
spec: {completions: 1, parallelism: 1, backoffLimit: 2}
status:
  startTime: "2025-01-01T00:00:00Z"
  failed: 3
  conditions:
  - {type: FailureTarget, status: "True", reason: BackoffLimitExceeded, message: Job has reached the specified backoff limit}
  - {type: Failed, status: "True", reason: BackoffLimitExceeded, message: Job has reached the specified backoff limit}
`},

	// CronJob
	{"CronJob/scheduled", `
apiVersion: batch/v1
kind: CronJob
metadata: {name: subject, namespace: ns, generation: 1}
spec: {schedule: "*/5 * * * *", jobTemplate: {spec: {}}}
status: {lastScheduleTime: "2025-01-01T00:00:00Z", lastSuccessfulTime: "2025-01-01T00:01:00Z"}
`},
	{"CronJob/never run", `
apiVersion: batch/v1
kind: CronJob
metadata: {name: subject, namespace: ns, generation: 1}
spec: {schedule: "0 0 1 1 *", jobTemplate: {spec: {}}}
`},

	// Service
	{"Service/ClusterIP", `
apiVersion: v1
kind: Service
metadata: {name: subject, namespace: ns}
spec: {type: ClusterIP, clusterIP: 10.96.0.12, clusterIPs: [10.96.0.12], ports: [{port: 80, protocol: TCP}]}
`},
	{"Service/headless", `
apiVersion: v1
kind: Service
metadata: {name: subject, namespace: ns}
spec: {type: ClusterIP, clusterIP: None, clusterIPs: [None], ports: [{port: 80, protocol: TCP}]}
`},
	{"Service/NodePort", `
apiVersion: v1
kind: Service
metadata: {name: subject, namespace: ns}
spec: {type: NodePort, clusterIP: 10.96.0.13, ports: [{port: 80, nodePort: 30080, protocol: TCP}]}
`},
	{"Service/LoadBalancer with a cluster IP, no ingress yet", `
apiVersion: v1
kind: Service
metadata: {name: subject, namespace: ns}
spec: {type: LoadBalancer, clusterIP: 10.96.0.14, ports: [{port: 443, nodePort: 30443, protocol: TCP}]}
status: {loadBalancer: {}}
`},
	{"Service/LoadBalancer with an ingress", `
apiVersion: v1
kind: Service
metadata: {name: subject, namespace: ns}
spec: {type: LoadBalancer, clusterIP: 10.96.0.14, ports: [{port: 443, nodePort: 30443, protocol: TCP}]}
status: {loadBalancer: {ingress: [{ip: 203.0.113.7}]}}
`},
	{"Service/LoadBalancer without a cluster IP", `
apiVersion: v1
kind: Service
metadata: {name: subject, namespace: ns}
spec: {type: LoadBalancer, ports: [{port: 443, protocol: TCP}]}
`},

	// CustomResourceDefinition
	{"CustomResourceDefinition/installing", `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: subject, generation: 1}
spec: {group: example.com, names: {kind: Widget, plural: widgets}, scope: Namespaced}
status:
  conditions:
  - {type: NamesAccepted, status: "True", reason: NoConflicts, message: no conflicts found, lastTransitionTime: "2025-01-01T00:00:00Z"}
  - {type: Established, status: "False", reason: Installing, message: the initial names have been accepted, lastTransitionTime: "2025-01-01T00:00:00Z"}
`},
	{"CustomResourceDefinition/established", `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: subject, generation: 1}
spec: {group: example.com, names: {kind: Widget, plural: widgets}, scope: Namespaced}
status:
  acceptedNames: {kind: Widget, plural: widgets}
  storedVersions: [v1]
  conditions:
  - {type: NamesAccepted, status: "True", reason: NoConflicts, message: no conflicts found, lastTransitionTime: "2025-01-01T00:00:00Z"}
  - {type: Established, status: "True", reason: InitialNamesAccepted, message: the initial names have been accepted, lastTransitionTime: "2025-01-01T00:00:00Z"}
`},
	{"CustomResourceDefinition/NamesAccepted False", `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: subject, generation: 1}
spec: {group: example.com, names: {kind: Widget, plural: widgets}, scope: Namespaced}
status:
  conditions:
  - {type: NamesAccepted, status: "False", reason: PluralConflict, message: '"widgets" is already in use', lastTransitionTime: "2025-01-01T00:00:00Z"}
  - {type: Established, status: "False", reason: NotAccepted, message: not all names are accepted, lastTransitionTime: "2025-01-01T00:00:00Z"}
`},
	{"CustomResourceDefinition/no status yet", `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: subject, generation: 1}
spec: {group: example.com, names: {kind: Widget, plural: widgets}, scope: Namespaced}
`},

	// Custom resources of other operators, read as they are
	{"custom resource/Ready True", `
apiVersion: db.example.com/v1
kind: Database
metadata: {name: subject, namespace: ns, generation: 4}
spec: {size: 1Gi}
status:
  observedGeneration: 4
  conditions:
  - {type: Ready, status: "True", reason: Succeeded, message: Reconciled, observedGeneration: 4}
`},
	{"custom resource/Ready False", `
apiVersion: db.example.com/v1
kind: Database
metadata: {name: subject, namespace: ns, generation: 4}
spec: {size: 1Gi}
status:
  observedGeneration: 4
  conditions:
  - {type: Ready, status: "False", reason: Provisioning, message: primary not elected}
`},
	{"custom resource/Ready Unknown", `
apiVersion: db.example.com/v1
kind: Database
metadata: {name: subject, namespace: ns, generation: 4}
spec: {size: 1Gi}
status:
  conditions:
  - {type: Ready, status: Unknown, reason: Pending}
`},
	{"custom resource/Reconciling True", `
apiVersion: db.example.com/v1
kind: Database
metadata: {name: subject, namespace: ns, generation: 5}
spec: {size: 2Gi}
status:
  observedGeneration: 5
  conditions:
  - {type: Ready, status: "True", reason: Succeeded}
  - {type: Reconciling, status: "True", reason: Resizing, message: volume resize 1/3}
`},
	{"custom resource/Stalled True", `
apiVersion: db.example.com/v1
kind: Database
metadata: {name: subject, namespace: ns, generation: 5}
spec: {size: 2Gi}
status:
  observedGeneration: 5
  conditions:
  - {type: Ready, status: "False", reason: ProgressDeadlineExceeded, message: "Deployment db: rollout exceeded its progress deadline (0/1 replicas available)"}
  - {type: Stalled, status: "True", reason: ProgressDeadlineExceeded, message: "Deployment db: rollout exceeded its progress deadline (0/1 replicas available)"}
`},
	{"custom resource/Stalled True without a reason", `
apiVersion: db.example.com/v1
kind: Database
metadata: {name: subject, namespace: ns, generation: 5}
spec: {size: 2Gi}
status:
  conditions:
  - {type: Stalled, status: "True"}
`},
	{"custom resource/Stalled False, Ready True", `
apiVersion: db.example.com/v1
kind: Database
metadata: {name: subject, namespace: ns, generation: 5}
spec: {size: 2Gi}
status:
  observedGeneration: 5
  conditions:
  - {type: Stalled, status: "False", reason: Recovered}
  - {type: Reconciling, status: "False", reason: Done}
  - {type: Ready, status: "True", reason: Succeeded}
`},
	{"custom resource/old observedGeneration", `
apiVersion: db.example.com/v1
kind: Database
metadata: {name: subject, namespace: ns, generation: 6}
spec: {size: 4Gi}
status:
  observedGeneration: 5
  conditions:
  - {type: Ready, status: "True", reason: Succeeded, observedGeneration: 5}
`},
	{"custom resource/Ready True on a condition of this generation (okt's own)", `
apiVersion: cache.example.com/v1alpha1
kind: Memcached
metadata: {name: subject, namespace: ns, generation: 3}
spec: {size: 3}
status:
  conditions:
  - {type: Ready, status: "True", reason: Succeeded, message: Reconciled, observedGeneration: 3, lastTransitionTime: "2025-01-01T00:00:00Z"}
`},
	{"custom resource/Ready True on a condition of an older generation", `
apiVersion: cache.example.com/v1alpha1
kind: Memcached
metadata: {name: subject, namespace: ns, generation: 4}
spec: {size: 5}
status:
  conditions:
  - {type: Ready, status: "True", reason: Succeeded, message: Reconciled, observedGeneration: 3, lastTransitionTime: "2025-01-01T00:00:00Z"}
`},
	{"custom resource/Stalled True on a condition of an older generation", `
apiVersion: cache.example.com/v1alpha1
kind: Memcached
metadata: {name: subject, namespace: ns, generation: 4}
spec: {size: 5, image: "memcached:1.6.31"}
status:
  conditions:
  - {type: Ready, status: "False", reason: ProgressDeadlineExceeded, message: "Deployment m: rollout exceeded its progress deadline (0/3 replicas available)", observedGeneration: 3, lastTransitionTime: "2025-01-01T00:00:00Z"}
  - {type: Stalled, status: "True", reason: ProgressDeadlineExceeded, message: "Deployment m: rollout exceeded its progress deadline (0/3 replicas available)", observedGeneration: 3, lastTransitionTime: "2025-01-01T00:00:00Z"}
`},
	{"custom resource/status observedGeneration current, Ready condition of an older generation", `
apiVersion: db.example.com/v1
kind: Database
metadata: {name: subject, namespace: ns, generation: 4}
spec: {size: 1Gi}
status:
  observedGeneration: 4
  conditions:
  - {type: Ready, status: "True", reason: Succeeded, observedGeneration: 3}
`},
	{"custom resource/no status at all", `
apiVersion: db.example.com/v1
kind: Database
metadata: {name: subject, namespace: ns, generation: 1}
spec: {size: 1Gi}
`},
	{"custom resource/status without conditions", `
apiVersion: cache.example.com/v1alpha1
kind: Cache
metadata: {name: subject, namespace: ns, generation: 1}
spec: {size: 3}
status: {phase: Running, nodes: [subject-0, subject-1]}
`},
	{"custom resource/being deleted", `
apiVersion: db.example.com/v1
kind: Database
metadata: {name: subject, namespace: ns, generation: 4, deletionTimestamp: "2025-01-01T00:00:00Z", finalizers: [db.example.com/cleanup]}
spec: {size: 1Gi}
status:
  observedGeneration: 4
  conditions:
  - {type: Ready, status: "True", reason: Succeeded}
`},
	{"custom resource/cluster-scoped, Ready True", `
apiVersion: net.example.com/v1beta1
kind: Gateway
metadata: {name: subject, generation: 2}
spec: {listeners: 2}
status:
  observedGeneration: 2
  conditions:
  - {type: Ready, status: "True", reason: Accepted}
`},

	// ConfigMap, Secret
	{"ConfigMap/exists", `
apiVersion: v1
kind: ConfigMap
metadata: {name: subject, namespace: ns}
data: {key: value}
`},
	{"ConfigMap/being deleted", `
apiVersion: v1
kind: ConfigMap
metadata: {name: subject, namespace: ns, deletionTimestamp: "2025-01-01T00:00:00Z", finalizers: [example.com/hold]}
data: {key: value}
`},
	{"Secret/exists", `
apiVersion: v1
kind: Secret
metadata: {name: subject, namespace: ns}
type: Opaque
data: {password: c2VjcmV0}
`},

	// Kinds without a status
	{"ServiceAccount/exists", `
apiVersion: v1
kind: ServiceAccount
metadata: {name: subject, namespace: ns}
`},
	{"Role/exists", `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: subject, namespace: ns}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
`},
	{"ClusterRoleBinding/exists", `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: subject}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: subject, namespace: ns}]
`},
	{"NetworkPolicy/exists", `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: subject, namespace: ns, generation: 1}
spec: {podSelector: {}, policyTypes: [Ingress]}
`},
	{"PriorityClass/exists", `
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: subject, generation: 1}
value: 1000
`},
	{"StorageClass/exists", `
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: subject}
provisioner: example.com/csi
`},
	{"ValidatingWebhookConfiguration/exists", `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: subject, generation: 1}
webhooks: []
`},

	// Kinds okt has no rule for, read by kstatus (typed: converted)
	{"HorizontalPodAutoscaler/observed", `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: subject, namespace: ns, generation: 2}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, minReplicas: 1, maxReplicas: 5}
status:
  observedGeneration: 2
  currentReplicas: 2
  desiredReplicas: 2
  conditions:
  - {type: AbleToScale, status: "True", reason: ReadyForNewScale, lastTransitionTime: "2025-01-01T00:00:00Z"}
  - {type: ScalingActive, status: "True", reason: ValidMetricFound, lastTransitionTime: "2025-01-01T00:00:00Z"}
`},
	{"HorizontalPodAutoscaler/generation not observed", `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: subject, namespace: ns, generation: 3}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, minReplicas: 1, maxReplicas: 5}
status: {observedGeneration: 2, currentReplicas: 2, desiredReplicas: 2}
`},
	{"Ingress/with a load balancer", `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: subject, namespace: ns, generation: 1}
spec: {rules: [{host: example.com}]}
status: {loadBalancer: {ingress: [{ip: 203.0.113.8}]}}
`},
	{"Namespace/Active", `
apiVersion: v1
kind: Namespace
metadata: {name: subject}
status: {phase: Active}
`},
	{"Namespace/Terminating", `
apiVersion: v1
kind: Namespace
metadata: {name: subject, deletionTimestamp: "2025-01-01T00:00:00Z"}
spec: {finalizers: [kubernetes]}
status:
  phase: Terminating
  conditions:
  - {type: NamespaceContentRemaining, status: "True", reason: SomeResourcesRemain, lastTransitionTime: "2025-01-01T00:00:00Z"}
`},
}
