{{/*
Names, labels and the values every template shares.
*/}}

{{/* The services, in the order the docs list them. */}}
{{- define "hookpost.services" -}}
config ingest redaction fan-out retry failure-log
{{- end }}

{{- define "hookpost.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's resource name prefix; a component's names append "-<service>" (max 63 characters). */}}
{{- define "hookpost.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "hookpost.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "hookpost.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hookpost.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "hookpost.labels" -}}
helm.sh/chart: {{ include "hookpost.chart" . }}
{{ include "hookpost.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: hookpost
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* A component's labels: (dict "root" $ "component" "fan-out") */}}
{{- define "hookpost.componentLabels" -}}
{{ include "hookpost.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "hookpost.componentSelectorLabels" -}}
{{ include "hookpost.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "hookpost.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "hookpost.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "hookpost.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
KAFKA_TOPIC_PREFIX: kafka.topicPrefix when it is set (also to ""), else "<region>." when a region is set,
else none.
*/}}
{{- define "hookpost.topicPrefix" -}}
{{- if kindIs "string" .Values.kafka.topicPrefix }}
{{- .Values.kafka.topicPrefix }}
{{- else if .Values.region }}
{{- printf "%s." .Values.region }}
{{- end }}
{{- end }}

{{/* The Secret the chart keeps credentials in (those not taken from an existingSecret). */}}
{{- define "hookpost.secretName" -}}
{{- include "hookpost.fullname" . }}
{{- end }}

{{/* The hook Secret the provisioning Job reads before the release's own Secret exists. */}}
{{- define "hookpost.provisionSecretName" -}}
{{- printf "%s-provision" (include "hookpost.fullname" .) }}
{{- end }}

{{/* Whether the chart keeps the SASL username in its Secret (else it is in existingSecret or plain). */}}
{{- define "hookpost.saslUsernameInSecret" -}}
{{- if and .Values.kafka.sasl.mechanism (not .Values.kafka.sasl.existingSecret) }}true{{ end }}
{{- end }}

{{/*
Credentials as env entries: (dict "root" $ "secret" <name of the chart's Secret to use> "database" bool
"adminToken" bool). Each comes from its existingSecret when one is named, else from the given Secret.
*/}}
{{- define "hookpost.secretEnv" -}}
{{- $v := .root.Values }}
{{- if .database }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ default .secret $v.database.existingSecret }}
      key: {{ ternary $v.database.existingSecretKey "DATABASE_URL" (ne $v.database.existingSecret "") }}
{{- end }}
{{- if .adminToken }}
- name: ADMIN_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ default .secret $v.api.existingSecret }}
      key: {{ ternary $v.api.existingSecretKey "ADMIN_TOKEN" (ne $v.api.existingSecret "") }}
{{- end }}
{{- if $v.kafka.sasl.mechanism }}
{{- if not $v.kafka.sasl.existingSecret }}
- name: KAFKA_SASL_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: KAFKA_SASL_USERNAME
{{- else if $v.kafka.sasl.existingSecretUsernameKey }}
- name: KAFKA_SASL_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ $v.kafka.sasl.existingSecret }}
      key: {{ $v.kafka.sasl.existingSecretUsernameKey }}
{{- else }}
- name: KAFKA_SASL_USERNAME
  value: {{ required "kafka.sasl.username (or kafka.sasl.existingSecretUsernameKey) is required with kafka.sasl.mechanism" $v.kafka.sasl.username | quote }}
{{- end }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ default .secret $v.kafka.sasl.existingSecret }}
      key: {{ ternary $v.kafka.sasl.existingSecretPasswordKey "KAFKA_SASL_PASSWORD" (ne $v.kafka.sasl.existingSecret "") }}
{{- end }}
{{- end }}

{{/* Kafka connection variables, as "NAME: value" lines (every service and the provisioning Job). */}}
{{- define "hookpost.kafkaVars" -}}
KAFKA_BROKERS: {{ join "," .Values.kafka.brokers | quote }}
KAFKA_TOPIC_PREFIX: {{ include "hookpost.topicPrefix" . | quote }}
KAFKA_SSL: {{ .Values.kafka.tls.enabled | quote }}
{{- with .Values.kafka.sasl.mechanism }}
KAFKA_SASL_MECHANISM: {{ . | quote }}
{{- end }}
{{- end }}

{{/* The non-secret environment of one service: (dict "root" $ "component" "fan-out"). */}}
{{- define "hookpost.configData" -}}
{{- $v := .root.Values }}
{{- $svc := index $v.services .component }}
{{ include "hookpost.kafkaVars" .root }}
KAFKA_SESSION_TIMEOUT_MS: {{ $v.kafka.sessionTimeoutMs | int | quote }}
{{- with $v.kafka.compression }}
KAFKA_COMPRESSION: {{ . | quote }}
{{- end }}
LOG_LEVEL: {{ $v.logLevel | quote }}
HTTP_PORT: {{ $svc.httpPort | int | quote }}
SHUTDOWN_TIMEOUT_MS: {{ $v.shutdownTimeoutMs | int | quote }}
OTEL_SERVICE_NAME: {{ printf "hookpost-%s" .component | quote }}
{{- with $v.otel.endpoint }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
{{- end }}
{{- with $v.otel.protocol }}
OTEL_EXPORTER_OTLP_PROTOCOL: {{ . | quote }}
{{- end }}
{{- $attrs := list }}
{{- with $v.region }}{{ $attrs = append $attrs (printf "cloud.region=%s" .) }}{{ end }}
{{- range $k, $val := $v.otel.resourceAttributes }}{{ $attrs = append $attrs (printf "%s=%s" $k $val) }}{{ end }}
{{- with $attrs }}
OTEL_RESOURCE_ATTRIBUTES: {{ join "," . | quote }}
{{- end }}
{{- with $v.caBundle.existingSecret }}
NODE_EXTRA_CA_CERTS: {{ printf "/etc/hookpost/ca/%s" $v.caBundle.key | quote }}
{{- end }}
{{- if or (eq .component "config") (eq .component "fan-out") }}
DELIVERY_TIMEOUT_MS: {{ $v.delivery.timeoutMs | int | quote }}
DESTINATION_ALLOW_PRIVATE: {{ $v.delivery.allowPrivateDestinations | quote }}
{{- with $v.delivery.destinationAllowlist }}
DESTINATION_ALLOWLIST: {{ join "," . | quote }}
{{- end }}
{{- end }}
{{- if eq .component "config" }}
GRPC_PORT: {{ $v.api.grpcPort | int | quote }}
{{- with $v.api.internalHttpPort }}
INTERNAL_HTTP_PORT: {{ . | int | quote }}
{{- end }}
DATABASE_POOL_SIZE: {{ $v.database.poolSize | int | quote }}
OUTBOX_POLL_MS: {{ $v.api.outboxPollMs | int | quote }}
RATE_LIMIT_PER_MINUTE: {{ $v.api.rateLimitPerMinute | int | quote }}
{{- end }}
{{- if eq .component "fan-out" }}
DISPATCH_MAX_IN_FLIGHT: {{ $v.delivery.maxInFlight | int | quote }}
DISPATCH_MAX_PER_ENDPOINT: {{ $v.delivery.maxPerEndpoint | int | quote }}
DISPATCH_MAX_PER_ACCOUNT: {{ $v.delivery.maxPerAccount | int | quote }}
DISPATCH_MAX_WAITING: {{ $v.delivery.maxWaiting | int | quote }}
DISPATCH_RECORD_TIMEOUT_MS: {{ $v.delivery.recordTimeoutMs | int | quote }}
DNS_TIMEOUT_MS: {{ $v.delivery.dnsTimeoutMs | int | quote }}
{{- with $v.delivery.dnsServers }}
DNS_SERVERS: {{ join "," . | quote }}
{{- end }}
DISPATCH_JOURNAL_DIR: {{ include "hookpost.journalDir" . | quote }}
{{- end }}
{{- if eq .component "retry" }}
RETRY_SCHEDULE: {{ $v.retry.schedule | quote }}
{{- /* an empty variable reads as unset (the default, "delivered"); "," is the empty list */}}
RETRY_EXCLUDED_EVENTS: {{ default "," (join "," $v.retry.excludedEvents) | quote }}
{{- end }}
{{- end }}

{{/* Pod-level scheduling and security shared by the Deployments and the Job. */}}
{{- define "hookpost.podCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- end }}

{{/* Volumes every pod has: a writable /tmp (the root filesystem is read-only) and the CA bundle. */}}
{{- define "hookpost.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- with .Values.caBundle.existingSecret }}
- name: ca-bundle
  secret:
    secretName: {{ . }}
{{- end }}
{{- end }}

{{- define "hookpost.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .Values.caBundle.existingSecret }}
- name: ca-bundle
  mountPath: /etc/hookpost/ca
  readOnly: true
{{- end }}
{{- end }}

{{- define "hookpost.journalDir" -}}
/var/lib/hookpost/journal
{{- end }}
