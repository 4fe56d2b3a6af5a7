using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace MlOps.Cdf
{
    /// <summary>The Functions API over <see cref="CdfHttp"/> (shapes per cdf-api.md section 3).</summary>
    internal sealed class FunctionsResource : ICdfFunctions
    {
        private const int ByIdsBatch = 10;
        private readonly CdfHttp http;

        public FunctionsResource(CdfHttp http) => this.http = http;

        public async Task<CdfFunction> CreateAsync(FunctionCreate function, CancellationToken cancellationToken = default)
        {
            if (string.IsNullOrEmpty(function.Name) || function.FileId <= 0)
            {
                throw new ArgumentException("A function needs a name and the id of its code file.", nameof(function));
            }

            foreach (var secret in function.Secrets?.Values ?? Enumerable.Empty<string>())
            {
                http.Redactor.Add(secret);
            }

            var body = new JsonObject { ["items"] = new JsonArray(JsonSerializer.SerializeToNode(function, CdfJson.Options)) };
            return Single(await http.JsonAsync<ItemsWithCursor<CdfFunction>>(HttpMethod.Post, "/functions", body, cancellationToken).ConfigureAwait(false));
        }

        public Task<CdfFunction> GetAsync(long id, CancellationToken cancellationToken = default) =>
            http.JsonAsync<CdfFunction>(HttpMethod.Get, "/functions/" + Id(id), null, cancellationToken);

        public async Task<IReadOnlyList<CdfFunction>> RetrieveAsync(IEnumerable<Identity> ids, bool ignoreUnknownIds = false,
            CancellationToken cancellationToken = default)
        {
            var result = new List<CdfFunction>();
            foreach (var batch in Batches.Of(ids, ByIdsBatch))
            {
                var body = FilesResource.Items(batch);
                body["ignoreUnknownIds"] = ignoreUnknownIds;
                result.AddRange((await http.JsonAsync<ItemsWithCursor<CdfFunction>>(HttpMethod.Post, "/functions/byids", body, cancellationToken)
                    .ConfigureAwait(false)).Items);
            }

            return result;
        }

        public async Task<IReadOnlyList<CdfFunction>> ListAsync(FunctionFilter? filter = null, int limit = 100, CancellationToken cancellationToken = default)
        {
            var body = new JsonObject { ["limit"] = limit };
            if (filter != null)
            {
                var json = new JsonObject();
                Add(json, "name", filter.Name);
                Add(json, "owner", filter.Owner);
                Add(json, "status", filter.Status);
                Add(json, "externalIdPrefix", filter.ExternalIdPrefix);
                if (filter.FileId is long fileId)
                {
                    json["fileId"] = fileId;
                }

                if (filter.CreatedTime != null)
                {
                    json["createdTime"] = filter.CreatedTime.ToJson();
                }

                if (filter.Metadata != null)
                {
                    json["metadata"] = JsonSerializer.SerializeToNode(filter.Metadata, CdfJson.Options);
                }

                body["filter"] = json;
            }

            return (await http.JsonAsync<ItemsWithCursor<CdfFunction>>(HttpMethod.Post, "/functions/list", body, cancellationToken).ConfigureAwait(false)).Items;
        }

        public async Task DeleteAsync(IEnumerable<Identity> ids, CancellationToken cancellationToken = default)
        {
            foreach (var batch in Batches.Of(ids, ByIdsBatch))
            {
                await http.SendAsync(HttpMethod.Post, "/functions/delete", FilesResource.Items(batch), cancellationToken).ConfigureAwait(false);
            }
        }

        public Task<FunctionCall> CallAsync(long functionId, object? data, string? nonce, CancellationToken cancellationToken = default)
        {
            var body = new JsonObject();
            if (data != null)
            {
                body["data"] = data as JsonNode ?? JsonSerializer.SerializeToNode(data, CdfJson.Options);
            }

            if (nonce != null)
            {
                http.Redactor.Add(nonce);
                body["nonce"] = nonce;
            }

            return http.JsonAsync<FunctionCall>(HttpMethod.Post, $"/functions/{Id(functionId)}/call", body, cancellationToken);
        }

        public Task<FunctionCall> GetCallAsync(long functionId, long callId, CancellationToken cancellationToken = default) =>
            http.JsonAsync<FunctionCall>(HttpMethod.Get, $"/functions/{Id(functionId)}/calls/{Id(callId)}", null, cancellationToken);

        public Task<ItemsWithCursor<FunctionCall>> ListCallsAsync(long functionId, FunctionCallFilter? filter = null, int limit = 100,
            string? cursor = null, CancellationToken cancellationToken = default)
        {
            var body = new JsonObject { ["limit"] = limit };
            if (filter != null)
            {
                var json = new JsonObject();
                Add(json, "status", filter.Status);
                if (filter.ScheduleId is long scheduleId)
                {
                    json["scheduleId"] = scheduleId;
                }

                if (filter.StartTime != null)
                {
                    json["startTime"] = filter.StartTime.ToJson();
                }

                if (filter.EndTime != null)
                {
                    json["endTime"] = filter.EndTime.ToJson();
                }

                body["filter"] = json;
            }

            if (cursor != null)
            {
                body["cursor"] = cursor;
            }

            return http.JsonAsync<ItemsWithCursor<FunctionCall>>(HttpMethod.Post, $"/functions/{Id(functionId)}/calls/list", body, cancellationToken);
        }

        public Task<FunctionCallResponse> GetCallResponseAsync(long functionId, long callId, CancellationToken cancellationToken = default) =>
            http.JsonAsync<FunctionCallResponse>(HttpMethod.Get, $"/functions/{Id(functionId)}/calls/{Id(callId)}/response", null, cancellationToken);

        public async Task<IReadOnlyList<FunctionCallLogEntry>> GetCallLogsAsync(long functionId, long callId, CancellationToken cancellationToken = default) =>
            (await http.JsonAsync<ItemsWithCursor<FunctionCallLogEntry>>(HttpMethod.Get, $"/functions/{Id(functionId)}/calls/{Id(callId)}/logs", null,
                cancellationToken).ConfigureAwait(false)).Items;

        public async Task<FunctionSchedule> CreateScheduleAsync(FunctionScheduleCreate schedule, CancellationToken cancellationToken = default)
        {
            if (schedule.Nonce != null)
            {
                http.Redactor.Add(schedule.Nonce);
            }

            var body = new JsonObject { ["items"] = new JsonArray(JsonSerializer.SerializeToNode(schedule, CdfJson.Options)) };
            return Single(await http.JsonAsync<ItemsWithCursor<FunctionSchedule>>(HttpMethod.Post, "/functions/schedules", body, cancellationToken)
                .ConfigureAwait(false));
        }

        public async Task<IReadOnlyList<FunctionSchedule>> ListSchedulesAsync(FunctionScheduleFilter? filter = null, int limit = 100,
            CancellationToken cancellationToken = default)
        {
            var body = new JsonObject { ["limit"] = limit };
            if (filter != null)
            {
                body["filter"] = JsonSerializer.SerializeToNode(filter, CdfJson.Options);
            }

            return (await http.JsonAsync<ItemsWithCursor<FunctionSchedule>>(HttpMethod.Post, "/functions/schedules/list", body, cancellationToken)
                .ConfigureAwait(false)).Items;
        }

        public async Task DeleteSchedulesAsync(IEnumerable<long> ids, CancellationToken cancellationToken = default)
        {
            foreach (var batch in Batches.Of(ids.Select(Identity.Create), 1000))
            {
                await http.SendAsync(HttpMethod.Post, "/functions/schedules/delete", FilesResource.Items(batch), cancellationToken).ConfigureAwait(false);
            }
        }

        private static T Single<T>(ItemsWithCursor<T> page) =>
            page.Items.Count == 1 ? page.Items[0] : throw new InvalidOperationException($"CDF returned {page.Items.Count} items where one was expected.");

        private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

        private static void Add(JsonObject json, string name, string? value)
        {
            if (value != null)
            {
                json[name] = value;
            }
        }
    }
}
