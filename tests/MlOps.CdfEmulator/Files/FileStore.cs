using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace MlOps.CdfEmulator;

/// <summary>
/// All files of all projects. Metadata changes happen under one lock, which is what makes "create with an
/// externalId" an atomic claim: of many concurrent creates exactly one gets 201 and the rest 409.
/// Bytes stream to disk outside the lock and are swapped in under it once complete.
/// </summary>
public sealed class FileStore
{
    private readonly object gate = new();
    private readonly CdfEmulatorOptions options;
    private readonly EmulatorClock clock;
    private readonly CdfIds ids;
    private readonly Dictionary<string, Dictionary<long, StoredFile>> byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, long>> byExternalId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TransferLink> uploadLinks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TransferLink> downloadLinks = new(StringComparer.Ordinal);

    internal FileStore(CdfEmulatorOptions options, EmulatorClock clock, CdfIds ids, string storageFolder)
    {
        this.options = options;
        this.clock = clock;
        this.ids = ids;
        StorageFolder = storageFolder;
        foreach (var project in options.Projects)
        {
            byId[project] = [];
            byExternalId[project] = new Dictionary<string, long>(StringComparer.Ordinal);
        }
    }

    /// <summary>Where uploaded bytes are kept.</summary>
    public string StorageFolder { get; }

    /// <summary>Set once the server listens; upload and download links are absolute URLs under it.</summary>
    internal string BaseUrl { get; set; } = "http://127.0.0.1";

    /// <summary>Snapshots of every file in <paramref name="project"/>, ordered by id.</summary>
    public IReadOnlyList<StoredFile> All(string project)
    {
        lock (gate)
        {
            return Files(project).Values.OrderBy(f => f.Id).Select(f => f.Clone()).ToList();
        }
    }

    public StoredFile? Find(string project, long id)
    {
        lock (gate)
        {
            return Files(project).TryGetValue(id, out var file) ? file.Clone() : null;
        }
    }

    public StoredFile? Find(string project, string externalId)
    {
        lock (gate)
        {
            return byExternalId[project].TryGetValue(externalId, out var id) ? Files(project)[id].Clone() : null;
        }
    }

    /// <summary>Creates the file or, with <paramref name="overwrite"/>, updates the one holding the same externalId.</summary>
    internal StoredFile Create(string project, FileFields fields, bool overwrite, int multipartParts = 0)
    {
        var now = clock.NowMs;
        lock (gate)
        {
            StoredFile file;
            if (fields.ExternalId is not null && byExternalId[project].TryGetValue(fields.ExternalId, out var existingId))
            {
                if (!overwrite)
                {
                    throw new CdfApiException(409, "ExternalId duplicated", duplicated: [ResourceIdentifier.ByExternalId(fields.ExternalId)]);
                }

                // Overwrite keeps the id; old bytes stay until new ones arrive.
                file = Files(project)[existingId];
                fields.ApplyTo(file);
                file.LastUpdatedTime = now;
            }
            else
            {
                file = new StoredFile { Project = project, Id = ids.Next(), Name = fields.Name, CreatedTime = now, LastUpdatedTime = now };
                fields.ApplyTo(file);
                Files(project)[file.Id] = file;
                if (file.ExternalId is not null)
                {
                    byExternalId[project][file.ExternalId] = file.Id;
                }
            }

            if (multipartParts > 0)
            {
                file.Multipart = new MultipartUpload(NewToken(), multipartParts);
            }

            return file.Clone();
        }
    }

    /// <summary>Starts a new multipart upload on an existing file (<c>/files/multiuploadlink</c>).</summary>
    internal StoredFile RestartMultipart(string project, long id, int parts)
    {
        lock (gate)
        {
            var file = Files(project)[id];
            file.Multipart = new MultipartUpload(NewToken(), parts);
            return file.Clone();
        }
    }

    /// <summary>The files named by <paramref name="identifiers"/>, in request order; unknown ones are a 400 with <c>missing</c>.</summary>
    internal List<StoredFile> Resolve(string project, IEnumerable<ResourceIdentifier> identifiers, bool ignoreUnknownIds)
    {
        lock (gate)
        {
            return ResolveLocked(project, identifiers, ignoreUnknownIds).Select(f => f.Clone()).ToList();
        }
    }

    internal (List<StoredFile> Page, string? NextCursor) List(string project, Func<StoredFile, bool> filter, string? cursor, int limit)
    {
        var now = clock.NowMs;
        var visibleBefore = now - (long)options.ListVisibilityDelay.TotalMilliseconds;
        lock (gate)
        {
            var matching = Files(project).Values
                .Where(f => options.ListVisibilityDelay <= TimeSpan.Zero || f.CreatedTime <= visibleBefore)
                .Where(filter)
                .OrderBy(f => f.Id);
            var (page, next) = Paging.Page(matching, f => f.Id, "files", cursor, limit, options.MaxPageSize);
            return (page.Select(f => f.Clone()).ToList(), next);
        }
    }

    /// <summary>Applies all updates or none: any unknown file, externalId clash or limit violation rejects the whole request.</summary>
    internal List<StoredFile> Update(string project, IReadOnlyList<(ResourceIdentifier Target, FileUpdate Update)> items)
    {
        var now = clock.NowMs;
        lock (gate)
        {
            var targets = ResolveLocked(project, items.Select(i => i.Target), ignoreUnknownIds: false);
            if (targets.Select(t => t.Id).Distinct().Count() != targets.Count)
            {
                throw new CdfApiException(400, "The same file appears more than once in the request.",
                    duplicated: targets.GroupBy(t => t.Id).Where(g => g.Count() > 1).Select(g => ResourceIdentifier.ById(g.Key)).ToList());
            }

            var updated = targets.Select((t, i) =>
            {
                var copy = t.Clone();
                items[i].Update.ApplyTo(copy);
                copy.LastUpdatedTime = now;
                return copy;
            }).ToList();

            var claimed = new Dictionary<string, long>(StringComparer.Ordinal);
            var duplicated = new List<ResourceIdentifier>();
            foreach (var file in updated.Where(f => f.ExternalId is not null))
            {
                var taken = byExternalId[project].TryGetValue(file.ExternalId!, out var owner) && owner != file.Id
                    && !updated.Any(u => u.Id == owner && u.ExternalId != file.ExternalId);
                if (taken || !claimed.TryAdd(file.ExternalId!, file.Id))
                {
                    duplicated.Add(ResourceIdentifier.ByExternalId(file.ExternalId!));
                }
            }

            if (duplicated.Count > 0)
            {
                throw new CdfApiException(409, "ExternalId duplicated", duplicated: duplicated);
            }

            foreach (var old in targets)
            {
                if (old.ExternalId is not null)
                {
                    byExternalId[project].Remove(old.ExternalId);
                }
            }

            foreach (var file in updated)
            {
                Files(project)[file.Id] = file;
                if (file.ExternalId is not null)
                {
                    byExternalId[project][file.ExternalId] = file.Id;
                }
            }

            return updated.Select(f => f.Clone()).ToList();
        }
    }

    internal void Delete(string project, IReadOnlyList<ResourceIdentifier> identifiers, bool ignoreUnknownIds)
    {
        List<StoredFile> removed;
        lock (gate)
        {
            removed = ResolveLocked(project, identifiers, ignoreUnknownIds);
            foreach (var file in removed)
            {
                Files(project).Remove(file.Id);
                if (file.ExternalId is not null)
                {
                    byExternalId[project].Remove(file.ExternalId);
                }
            }
        }

        foreach (var file in removed)
        {
            DeleteQuietly(file.ContentPath);
            foreach (var part in file.Multipart?.PartPaths ?? [])
            {
                DeleteQuietly(part);
            }
        }
    }

    internal string NewUploadUrl(StoredFile file, string? uploadId = null, int partIndex = -1)
    {
        var token = NewToken();
        uploadLinks[token] = new TransferLink(file.Project, file.Id, clock.NowMs + (long)options.UploadLinkLifetime.TotalMilliseconds, uploadId, partIndex);
        return (options.RelativeUploadUrls ? string.Empty : BaseUrl) + FileTransferEndpoints.UploadPrefix + token;
    }

    internal string NewDownloadUrl(StoredFile file, bool extendedExpiration)
    {
        var token = NewToken();
        var lifetime = extendedExpiration ? TimeSpan.FromDays(7) : options.DownloadLinkLifetime;
        downloadLinks[token] = new TransferLink(file.Project, file.Id, clock.NowMs + (long)lifetime.TotalMilliseconds);
        return $"{BaseUrl}{FileTransferEndpoints.DownloadPrefix}{token}";
    }

    internal TransferLink? FindUploadLink(string token) => FindLink(uploadLinks, token);

    internal TransferLink? FindDownloadLink(string token) => FindLink(downloadLinks, token);

    /// <summary>A fresh path in the storage folder for bytes that are still arriving.</summary>
    internal string NewTempPath(long fileId) => Path.Combine(StorageFolder, $"{fileId}-{Guid.NewGuid():N}.partial");

    /// <summary>
    /// Swaps in the bytes of a finished PUT. A single upload replaces the content and starts the uploaded clock;
    /// a part upload only records the part. False when the file or the multipart upload is gone.
    /// </summary>
    internal bool CommitUpload(TransferLink link, string tempPath, long length)
    {
        string? replaced;
        lock (gate)
        {
            if (!Files(link.Project).TryGetValue(link.FileId, out var file))
            {
                replaced = tempPath;
            }
            else if (link.UploadId is null)
            {
                replaced = file.ContentPath;
                SetContent(file, tempPath, length);
            }
            else if (file.Multipart?.UploadId == link.UploadId && link.PartIndex < file.Multipart.PartPaths.Length)
            {
                replaced = file.Multipart.PartPaths[link.PartIndex];
                file.Multipart.PartPaths[link.PartIndex] = tempPath;
            }
            else
            {
                replaced = tempPath;
            }
        }

        DeleteQuietly(replaced);
        return !ReferenceEquals(replaced, tempPath);
    }

    /// <summary>Joins the parts in order into the file's content; 400 when a part is missing or too small.</summary>
    internal async Task CompleteMultipartAsync(string project, ResourceIdentifier target, string uploadId, CancellationToken cancel)
    {
        string[] parts;
        long fileId;
        lock (gate)
        {
            var file = ResolveLocked(project, [target], ignoreUnknownIds: false)[0];
            if (file.Multipart is null || file.Multipart.UploadId != uploadId)
            {
                throw CdfApiException.BadRequest($"Unknown uploadId for file {target}.");
            }

            var missing = file.Multipart.PartPaths.Select((p, i) => (p, i)).Where(x => x.p is null).Select(x => x.i + 1).ToList();
            if (missing.Count > 0)
            {
                throw CdfApiException.BadRequest($"Multipart upload is not complete: parts {string.Join(", ", missing)} have not been uploaded.");
            }

            parts = file.Multipart.PartPaths.Select(p => p!).ToArray();
            fileId = file.Id;
        }

        for (var i = 0; i < parts.Length - 1; i++)
        {
            var size = new FileInfo(parts[i]).Length;
            if (size < options.MultipartMinPartBytes)
            {
                throw CdfApiException.BadRequest(
                    $"Part {i + 1} is {size} bytes; every part except the last must be at least {options.MultipartMinPartBytes} bytes.");
            }
        }

        var joined = NewTempPath(fileId);
        long length;
        await using (var output = new FileStream(joined, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
        {
            foreach (var part in parts)
            {
                await using var input = new FileStream(part, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
                await input.CopyToAsync(output, cancel);
            }

            length = output.Length;
        }

        string? replaced;
        lock (gate)
        {
            if (!Files(project).TryGetValue(fileId, out var file) || file.Multipart?.UploadId != uploadId)
            {
                replaced = joined;
                parts = [];
            }
            else
            {
                replaced = file.ContentPath;
                SetContent(file, joined, length);
                file.Multipart = null;
            }
        }

        DeleteQuietly(replaced);
        foreach (var part in parts)
        {
            DeleteQuietly(part);
        }

        if (ReferenceEquals(replaced, joined))
        {
            throw CdfApiException.BadRequest("The file or its multipart upload was replaced while completing.");
        }
    }

    private void SetContent(StoredFile file, string path, long length)
    {
        var now = clock.NowMs;
        file.ContentPath = path;
        file.ContentLength = length;
        file.ContentArrivedTime = now;
        file.UploadedTime = now + (long)options.UploadedDelay.TotalMilliseconds;
        file.LastUpdatedTime = now;
    }

    private List<StoredFile> ResolveLocked(string project, IEnumerable<ResourceIdentifier> identifiers, bool ignoreUnknownIds)
    {
        var found = new List<StoredFile>();
        var missing = new List<ResourceIdentifier>();
        foreach (var identifier in identifiers)
        {
            StoredFile? file = null;
            if (identifier.Id is long id)
            {
                Files(project).TryGetValue(id, out file);
            }
            else if (byExternalId[project].TryGetValue(identifier.ExternalId!, out var byExt))
            {
                file = Files(project)[byExt];
            }

            if (file is null)
            {
                missing.Add(identifier);
            }
            else
            {
                found.Add(file);
            }
        }

        if (missing.Count > 0 && !ignoreUnknownIds)
        {
            throw new CdfApiException(400, "Files not found", missing: missing);
        }

        return found;
    }

    private Dictionary<long, StoredFile> Files(string project) =>
        byId.TryGetValue(project, out var files) ? files : throw new ArgumentException($"Project '{project}' is not served.", nameof(project));

    private TransferLink? FindLink(ConcurrentDictionary<string, TransferLink> links, string token) =>
        links.TryGetValue(token, out var link) && clock.NowMs < link.ExpiresAtMs ? link : null;

    private static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    private static void DeleteQuietly(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Still open by a running download on Windows; the temp folder goes away with the server.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
