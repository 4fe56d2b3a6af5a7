using System;
using System.Collections.Generic;
using System.Text.Json;

namespace MlOps.Services
{
    /// <summary>
    /// A service's answer to one call: <c>{status: ok, prediction, model_id}</c>, <c>{status: ok, training}</c> or
    /// <c>{status: error, error}</c>. <see cref="Result"/> is the prediction or training value as plain .NET values
    /// (dictionaries, arrays, numbers, strings).
    /// </summary>
    public sealed class ServiceResponse
    {
        public ServiceResponse(string serviceName, ServiceKind service, string status, object? result, string? modelId, string? error,
            string callId, TimeSpan duration, string json)
        {
            ServiceName = serviceName;
            Service = service;
            Status = status;
            Result = result;
            ModelId = modelId;
            Error = error;
            CallId = callId;
            Duration = duration;
            Json = json;
        }

        public string ServiceName { get; }
        public ServiceKind Service { get; }

        /// <summary><c>ok</c> or <c>error</c>.</summary>
        public string Status { get; }

        public object? Result { get; }
        public string? ModelId { get; }
        public string? Error { get; }
        public string CallId { get; }
        public TimeSpan Duration { get; }

        /// <summary>The answer exactly as the service sent it.</summary>
        public string Json { get; }

        public bool IsOk => Status == "ok";

        /// <summary>
        /// The version a training service published (null for predictions and failures): a <c>ModelVersion</c> to pipe into
        /// Deploy-MlPredictionService or Publish-MlModelArtifact.
        /// </summary>
        public Registry.ModelVersion? Version { get; private set; }

        /// <summary>The same answer, with the version it published and its model id.</summary>
        public ServiceResponse WithPublished(Registry.ModelVersion version) =>
            new ServiceResponse(ServiceName, Service, Status, Result, version.ModelId, Error, CallId, Duration, Json) { Version = version };

        /// <summary>The model id of the version a training answer says it published (<c>training.model_id</c> when <c>published</c>).</summary>
        public string? PublishedModelId =>
            Service == ServiceKind.Training && IsOk && Result is System.Collections.IDictionary training
            && training["published"] is bool published && published ? training["model_id"] as string : null;

        public static ServiceResponse Parse(string serviceName, ServiceKind service, string json, string callId, TimeSpan duration)
        {
            using (var document = JsonDocument.Parse(json))
            {
                var root = document.RootElement;
                string? Text(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
                    ? v.GetString() : null;
                var status = Text("status") ?? "error";
                object? result = root.ValueKind == JsonValueKind.Object && root.TryGetProperty(service.Name(), out var value) ? ToPlain(value) : null;
                var error = Text("error") ?? (status == "ok" ? null : "the service answered without status 'ok'");
                return new ServiceResponse(serviceName, service, status, result, Text("model_id"), error, callId, duration, json);
            }
        }

        /// <summary>JSON as plain values: objects become ordered string-keyed dictionaries, arrays object[], numbers long or double.</summary>
        public static object? ToPlain(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var map = new System.Collections.Specialized.OrderedDictionary(StringComparer.Ordinal);
                    foreach (var property in element.EnumerateObject())
                    {
                        map[property.Name] = ToPlain(property.Value);
                    }

                    return map;
                case JsonValueKind.Array:
                    var list = new List<object?>();
                    foreach (var item in element.EnumerateArray())
                    {
                        list.Add(ToPlain(item));
                    }

                    return list.ToArray();
                case JsonValueKind.String:
                    return element.GetString();
                case JsonValueKind.Number:
                    return element.TryGetInt64(out var integer) ? integer : (object)element.GetDouble();
                case JsonValueKind.True:
                    return true;
                case JsonValueKind.False:
                    return false;
                default:
                    return null;
            }
        }
    }
}
