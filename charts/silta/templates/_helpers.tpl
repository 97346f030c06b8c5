{{/* Names and labels shared by every object. Each service's objects are named <release>-<service>. */}}

{{- define "silta.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}{{ .Release.Name | trunc 50 | trimSuffix "-" }}{{- else -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{/* dict "root" $ "name" <service> */}}
{{- define "silta.serviceName" -}}
{{ printf "%s-%s" (include "silta.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- define "silta.commonLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/part-of: silta
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* Selector labels: name + instance, never anything that changes on upgrade. dict "root" $ "name" <service> */}}
{{- define "silta.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "silta.labels" -}}
{{ include "silta.commonLabels" .root }}
{{ include "silta.selectorLabels" . }}
app.kubernetes.io/component: {{ .component | default "service" }}
{{- end -}}

{{/* The image of a service: <registry>/<repository>:<tag>, the tag defaulting to the chart's appVersion. */}}
{{- define "silta.image" -}}
{{- $g := .root.Values.global.image -}}
{{- $repo := .svc.image.repository -}}
{{- $tag := .svc.image.tag | default $g.tag | default .root.Chart.AppVersion -}}
{{- if $g.registry }}{{ printf "%s/%s:%s" $g.registry $repo $tag }}{{ else }}{{ printf "%s:%s" $repo $tag }}{{ end -}}
{{- end -}}

{{/* The Secret with a service's Kafka client certificate: the one Strimzi writes for the service's
     KafkaUser, or `kafka.userSecret` when another party issued the user (a municipality's gateway). */}}
{{- define "silta.kafkaUserSecret" -}}
{{- $svc := index .root.Values.services .name -}}
{{- if $svc.kafka.userSecret }}{{ tpl $svc.kafka.userSecret .root }}{{ else }}{{ include "silta.serviceName" . }}{{ end -}}
{{- end -}}

{{/* Services that are enabled, as a list of names in a stable order. */}}
{{- define "silta.enabledServices" -}}
{{- $names := list -}}
{{- range $name, $svc := .Values.services -}}{{- if $svc.enabled -}}{{- $names = append $names $name -}}{{- end -}}{{- end -}}
{{- $names | sortAlpha | toJson -}}
{{- end -}}

{{/* A Strimzi ACL topic resource; a name ending in `*` is a prefix. */}}
{{- define "silta.topicResource" -}}
{{- if hasSuffix "*" . -}}
{ type: topic, name: {{ trimSuffix "*" . | quote }}, patternType: prefix }
{{- else -}}
{ type: topic, name: {{ . | quote }}, patternType: literal }
{{- end -}}
{{- end -}}
