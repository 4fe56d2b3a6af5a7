using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace MlOps.Cdf
{
    /// <summary>The Files API over <see cref="CdfHttp"/>.</summary>
    internal sealed class FilesResource : ICdfFiles
    {
        private const int MaxItems = 1000;
        private const int MaxParts = 250;
        private readonly CdfHttp http;

        public FilesResource(CdfHttp http) => this.http = http;

        public Task<CdfFileUpload> CreateAsync(FileCreate file, bool overwrite = false, CancellationToken cancellationToken = default) =>
            http.JsonAsync<CdfFileUpload>(HttpMethod.Post, "/files", Body(file), cancellationToken, "?overwrite=" + Bool(overwrite));

        public async Task UploadContentAsync(string uploadUrl, Stream content, long? length = null, string? mimeType = null,
            CancellationToken cancellationToken = default)
        {
            if (content is null)
            {
                throw new ArgumentNullException(nameof(content));
            }

            var size = length ?? (content.CanSeek ? content.Length - content.Position : throw new ArgumentException(
                "The content stream cannot seek, so its length must be given.", nameof(length)));
            await PutAsync(UploadUri(uploadUrl), content, content.CanSeek ? content.Position : 0, size, mimeType, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Where an upload goes: the URL CDF answered, or, when it has no host (CDF projects reached through Private Link), that
        /// path on the project's base URL, as Cognite's SDKs resolve it.
        /// </summary>
        internal Uri UploadUri(string uploadUrl) =>
            Uri.TryCreate(uploadUrl, UriKind.Absolute, out var absolute) && (absolute.Scheme == Uri.UriSchemeHttps || absolute.Scheme == Uri.UriSchemeHttp)
                ? absolute
                : new Uri(new Uri(http.Options.BaseUrl), uploadUrl);

        public async Task<CdfFile> UploadAsync(FileCreate file, Stream content, long? length = null, bool overwrite = false,
            CancellationToken cancellationToken = default)
        {
            var size = length ?? (content.CanSeek ? content.Length - content.Position : throw new ArgumentException(
                "The content stream cannot seek, so its length must be given.", nameof(length)));
            if (size > http.Options.MultipartPartSize)
            {
                return await UploadMultipartAsync(file, content, size, overwrite, cancellationToken).ConfigureAwait(false);
            }

            var created = await CreateAsync(file, overwrite, cancellationToken).ConfigureAwait(false);
            await UploadContentAsync(created.UploadUrl, content, size, file.MimeType, cancellationToken).ConfigureAwait(false);
            return created;
        }

        public Task<CdfMultipartFileUpload> InitMultipartUploadAsync(FileCreate file, int parts, bool overwrite = false,
            CancellationToken cancellationToken = default)
        {
            if (parts < 1 || parts > MaxParts)
            {
                throw new ArgumentOutOfRangeException(nameof(parts), $"A multipart upload has 1 to {MaxParts} parts.");
            }

            return http.JsonAsync<CdfMultipartFileUpload>(HttpMethod.Post, "/files/initmultipartupload", Body(file), cancellationToken,
                "?parts=" + parts.ToString(CultureInfo.InvariantCulture) + "&overwrite=" + Bool(overwrite));
        }

        public Task CompleteMultipartUploadAsync(Identity file, string uploadId, CancellationToken cancellationToken = default)
        {
            var body = file.ToJson();
            body["uploadId"] = uploadId;
            return http.SendAsync(HttpMethod.Post, "/files/completemultipartupload", body, cancellationToken);
        }

        public async Task<CdfFile> UploadMultipartAsync(FileCreate file, Stream content, long length, bool overwrite = false,
            CancellationToken cancellationToken = default)
        {
            if (length < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(length), "A multipart upload needs content.");
            }

            var partSize = Math.Max(http.Options.MultipartPartSize, (length + MaxParts - 1) / MaxParts);
            var parts = (int)((length + partSize - 1) / partSize);
            var upload = await InitMultipartUploadAsync(file, parts, overwrite, cancellationToken).ConfigureAwait(false);
            if (upload.UploadUrls.Count != parts)
            {
                throw new InvalidOperationException($"CDF returned {upload.UploadUrls.Count} part URLs for {parts} parts.");
            }

            var start = content.CanSeek ? content.Position : 0;
            for (var i = 0; i < parts; i++)
            {
                var offset = i * partSize;
                var size = Math.Min(partSize, length - offset);
                await PutAsync(UploadUri(upload.UploadUrls[i]), content, start + offset, size, file.MimeType, cancellationToken).ConfigureAwait(false);
            }

            await CompleteMultipartUploadAsync(Identity.Create(upload.Id), upload.UploadId, cancellationToken).ConfigureAwait(false);
            return upload;
        }

        public async Task<ItemsWithCursor<CdfFile>> ListAsync(FileQuery query, CancellationToken cancellationToken = default)
        {
            var body = new JsonObject { ["limit"] = query.Limit };
            if (query.Filter != null)
            {
                body["filter"] = query.Filter.ToJson();
            }

            if (query.Cursor != null)
            {
                body["cursor"] = query.Cursor;
            }

            if (query.Partition != null)
            {
                body["partition"] = query.Partition;
            }

            return await http.JsonAsync<ItemsWithCursor<CdfFile>>(HttpMethod.Post, "/files/list", body, cancellationToken).ConfigureAwait(false);
        }

        public async Task<IReadOnlyList<CdfFile>> ListAllAsync(FileFilter? filter = null, CancellationToken cancellationToken = default)
        {
            // A list, not IAsyncEnumerable: that interface comes from Microsoft.Bcl.AsyncInterfaces on netstandard2.0, whose
            // copy of the type clashes with the runtime's on .NET (and the package is pruned from net10 builds).
            var all = new List<CdfFile>();
            string? cursor = null;
            do
            {
                var page = await ListAsync(new FileQuery { Filter = filter, Cursor = cursor, Limit = MaxItems }, cancellationToken).ConfigureAwait(false);
                all.AddRange(page.Items);
                cursor = string.IsNullOrEmpty(page.NextCursor) ? null : page.NextCursor;
            }
            while (cursor != null);

            return all;
        }

        public Task<CdfFile> GetAsync(long id, CancellationToken cancellationToken = default) =>
            http.JsonAsync<CdfFile>(HttpMethod.Get, "/files/" + id.ToString(CultureInfo.InvariantCulture), null, cancellationToken);

        public async Task<IReadOnlyList<CdfFile>> RetrieveAsync(IEnumerable<Identity> ids, bool ignoreUnknownIds = false,
            CancellationToken cancellationToken = default)
        {
            var result = new List<CdfFile>();
            foreach (var batch in Batches.Of(ids, MaxItems))
            {
                var body = Items(batch);
                body["ignoreUnknownIds"] = ignoreUnknownIds;
                var page = await http.JsonAsync<ItemsWithCursor<CdfFile>>(HttpMethod.Post, "/files/byids", body, cancellationToken).ConfigureAwait(false);
                result.AddRange(page.Items);
            }

            return result;
        }

        public async Task<IReadOnlyList<FileDownloadLink>> DownloadLinkAsync(IEnumerable<Identity> ids, bool extendedExpiration = false,
            CancellationToken cancellationToken = default)
        {
            var result = new List<FileDownloadLink>();
            foreach (var batch in Batches.Of(ids, MaxItems))
            {
                var page = await http.JsonAsync<ItemsWithCursor<FileDownloadLink>>(HttpMethod.Post, "/files/downloadlink", Items(batch), cancellationToken,
                    extendedExpiration ? "?extendedExpiration=true" : "").ConfigureAwait(false);
                result.AddRange(page.Items);
            }

            return result;
        }

        public async Task<Stream> DownloadAsync(Identity file, CancellationToken cancellationToken = default)
        {
            var links = await DownloadLinkAsync(new[] { file }, false, cancellationToken).ConfigureAwait(false);
            var url = new Uri(links.Single().DownloadUrl);
            var operation = new CdfOperation("GET download from " + url.Authority, url.Authority, http.Project, CdfRetryMode.Idempotent);
            var response = await http.ExecuteAsync(operation, () => new HttpRequestMessage(HttpMethod.Get, url), false,
                HttpCompletionOption.ResponseHeadersRead, http.Options.TransferTimeout, cancellationToken).ConfigureAwait(false);
            try
            {
                var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                return new HttpResponseStream(response, stream);
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }

        public async Task DeleteAsync(IEnumerable<Identity> ids, bool ignoreUnknownIds = false, CancellationToken cancellationToken = default)
        {
            foreach (var batch in Batches.Of(ids, MaxItems))
            {
                var body = Items(batch);
                if (ignoreUnknownIds)
                {
                    body["ignoreUnknownIds"] = true;
                }

                await http.SendAsync(HttpMethod.Post, "/files/delete", body, cancellationToken).ConfigureAwait(false);
            }
        }

        public async Task<IReadOnlyList<CdfFile>> UpdateAsync(IEnumerable<FileUpdateItem> items, CancellationToken cancellationToken = default)
        {
            var result = new List<CdfFile>();
            foreach (var batch in Batches.Of(items, MaxItems))
            {
                var body = new JsonObject { ["items"] = new JsonArray(batch.Select(i => (JsonNode)i.ToJson()).ToArray()) };
                var page = await http.JsonAsync<ItemsWithCursor<CdfFile>>(HttpMethod.Post, "/files/update", body, cancellationToken).ConfigureAwait(false);
                result.AddRange(page.Items);
            }

            return result;
        }

        internal static JsonObject Items(IEnumerable<Identity> ids) =>
            new JsonObject { ["items"] = new JsonArray(ids.Select(i => (JsonNode)i.ToJson()).ToArray()) };

        private static JsonNode Body(FileCreate file)
        {
            if (string.IsNullOrEmpty(file.Name))
            {
                throw new ArgumentException("A file needs a name.", nameof(file));
            }

            return JsonSerializer.SerializeToNode(file, CdfJson.Options)!;
        }

        private static string Bool(bool value) => value ? "true" : "false";

        /// <summary>One streamed PUT; repeated (from <paramref name="offset"/>) only when the stream can seek back.</summary>
        private async Task PutAsync(Uri url, Stream content, long offset, long length, string? mimeType, CancellationToken cancellationToken)
        {
            var operation = new CdfOperation("PUT upload to " + url.Authority, url.Authority, http.Project,
                content.CanSeek ? CdfRetryMode.Idempotent : CdfRetryMode.None);
            var first = true;
            using var response = await http.ExecuteAsync(operation, () =>
            {
                if (content.CanSeek)
                {
                    content.Position = offset;
                }
                else if (!first)
                {
                    throw new InvalidOperationException("A stream that cannot seek cannot be sent twice.");
                }

                first = false;
                var body = new StreamSliceContent(content, length);
                if (!string.IsNullOrEmpty(mimeType))
                {
                    body.Headers.ContentType = MediaTypeHeaderValue.Parse(mimeType);
                }

                return new HttpRequestMessage(HttpMethod.Put, url) { Content = body };
            }, false, HttpCompletionOption.ResponseContentRead, http.Options.TransferTimeout, cancellationToken).ConfigureAwait(false);
        }
    }
}
