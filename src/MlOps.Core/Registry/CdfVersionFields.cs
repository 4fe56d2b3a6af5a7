using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using MlOps.Cdf;
using MlOps.Diagnostics;
using MlOps.Settings;
using MlOps.SourceControl;

namespace MlOps.Registry
{
    /// <summary>
    /// How a version in CDF Files is described by its file's metadata: the keys akerbp.mlops and MlOps write, what makes a
    /// file a complete version (not a claim being uploaded), and the <see cref="ModelVersion"/> read from them.
    /// </summary>
    internal static class CdfVersionFields
    {
        public const string VersionKey = "version";
        public const string StateKey = "mlops_state";
        public const string ClaimKey = "mlops_claim";
        public const string ContentHashKey = "mlops_content_hash";
        public const string ArchiveHashKey = "mlops_archive_sha256";
        public const string FileCountKey = "mlops_file_count";
        public const string SizeKey = "mlops_size";
        public const string CreatedByKey = "mlops_created_by";
        public const string PromotedFromKey = "mlops_promoted_from";
        public const string SourceKey = "mlops_source";
        public const string ExcludedKey = "mlops_excluded";

        /// <summary>At most this many bytes of the metadata record what the ignore rules left out (the count, then the first paths).</summary>
        public const int MaxExcludedBytes = 2048;
        public const string Uploading = "uploading";
        public const string MimeType = "application/gzip";

        /// <summary>CDF takes at most this many parts in a multipart upload.</summary>
        public const int MaxParts = 250;

        public static bool IsComplete(CdfFile file) => file.Uploaded && (file.Metadata == null || !file.Metadata.ContainsKey(StateKey));

        public static ModelVersion ToVersion(string model, string environment, int number, CdfFile file, string location)
        {
            var metadata = file.Metadata ?? new Dictionary<string, string>();
            string? Get(string key) => metadata.TryGetValue(key, out var value) ? value : null;
            var user = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in metadata.Where(p => !MetadataRules.IsReserved(p.Key)))
            {
                user[pair.Key] = pair.Value;
            }

            var created = DateTimeOffset.FromUnixTimeMilliseconds(file.UploadedTime ?? file.CreatedTime);
            var contentHash = Get(ContentHashKey) ?? string.Empty;
            var system = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["version"] = number.ToString(CultureInfo.InvariantCulture),
                ["environment"] = environment,
                ["createdTime"] = created.ToString("o", CultureInfo.InvariantCulture),
                ["contentHash"] = contentHash,
                ["cdfFileId"] = file.Id.ToString(CultureInfo.InvariantCulture),
                ["cdfFileName"] = file.Name,
            };
            foreach (var (key, name) in new[] { (CreatedByKey, "createdBy"), (PromotedFromKey, "promotedFrom"), (ArchiveHashKey, "archiveSha256"), (SourceKey, "source"),
                         (SourceRevision.CdfKeys.Commit, SourceRevision.CommitKey), (SourceRevision.CdfKeys.Branch, SourceRevision.BranchKey),
                         (SourceRevision.CdfKeys.Dirty, SourceRevision.DirtyKey) })
            {
                if (Get(key) is string value)
                {
                    system[name] = value;
                }
            }

            int.TryParse(Get(FileCountKey), NumberStyles.None, CultureInfo.InvariantCulture, out var count);
            long.TryParse(Get(SizeKey), NumberStyles.None, CultureInfo.InvariantCulture, out var size);
            var excluded = ReadExcluded(Get(ExcludedKey));
            if (excluded.Count > 0)
            {
                system["excluded"] = excluded.Count.ToString(CultureInfo.InvariantCulture);
            }

            return new ModelVersion(model, environment, number, contentHash, created, Get(CreatedByKey) ?? string.Empty, Get(PromotedFromKey),
                Array.Empty<ArtifactFile>(), user, system, StoreKinds.Cdf + ":" + location, location + "/" + file.ExternalId, isLocalFolder: false, count, size,
                excluded.Paths);
        }

        public static (string Model, string Environment, int Version)? ParseId(string? externalId)
        {
            if (externalId == null)
            {
                return null;
            }

            try
            {
                return ModelVersionId.Parse(externalId);
            }
            catch (MlOpsException)
            {
                return null;
            }
        }

        /// <summary>
        /// Records what the ignore rules left out in <see cref="ExcludedKey"/>: the count on the first line, then
        /// <c>path&lt;TAB&gt;rule</c> lines as long as they fit in <see cref="MaxExcludedBytes"/> and in what CDF's metadata
        /// limit leaves after the other keys (the user's metadata comes first: the record is shortened, never the publish refused).
        /// </summary>
        public static void AddExcluded(Dictionary<string, string> fields, IReadOnlyList<ExcludedPath> excluded, int later)
        {
            if (excluded.Count == 0)
            {
                return;
            }

            var used = fields.Sum(p => Encoding.UTF8.GetByteCount(p.Key) + Encoding.UTF8.GetByteCount(p.Value)) + 32 + later + ExcludedKey.Length;
            var budget = Math.Min(MaxExcludedBytes, MetadataRules.MaxTotalBytes - used);
            var text = new StringBuilder(excluded.Count.ToString(CultureInfo.InvariantCulture));
            if (text.Length > budget)
            {
                return;
            }

            var bytes = text.Length;
            foreach (var entry in excluded)
            {
                var line = "\n" + entry.Path + "\t" + entry.Rule;
                var size = Encoding.UTF8.GetByteCount(line);
                if (bytes + size > budget)
                {
                    break;
                }

                text.Append(line);
                bytes += size;
            }

            fields[ExcludedKey] = text.ToString();
        }

        /// <summary>The count and the paths recorded by <see cref="AddExcluded"/>; (0, empty) when none are.</summary>
        public static (int Count, List<ExcludedPath> Paths) ReadExcluded(string? value)
        {
            var paths = new List<ExcludedPath>();
            if (string.IsNullOrEmpty(value))
            {
                return (0, paths);
            }

            var lines = value!.Split('\n');
            int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var count);
            foreach (var line in lines.Skip(1))
            {
                var tab = line.IndexOf('\t');
                if (tab > 0)
                {
                    paths.Add(new ExcludedPath(line.Substring(0, tab), line.Substring(tab + 1)));
                }
            }

            return (Math.Max(count, paths.Count), paths);
        }

        /// <summary>Checks CDF's metadata size limit; <paramref name="later"/> bytes are added when the version completes.</summary>
        public static void CheckMetadataSize(Dictionary<string, string> fields, int later)
        {
            var total = fields.Sum(p => Encoding.UTF8.GetByteCount(p.Key) + Encoding.UTF8.GetByteCount(p.Value)) + 32 + later;
            if (total > MetadataRules.MaxTotalBytes)
            {
                throw new MlOpsException(ErrorIds.InvalidMetadata, MlOpsErrorKind.InvalidArgument,
                    $"The metadata needs {total} bytes with the {fields.Count(p => MetadataRules.IsReserved(p.Key))} keys MlOps adds; CDF allows {MetadataRules.MaxTotalBytes}.",
                    null, "Shorten the metadata values (CDF file metadata is limited to 10240 bytes in all).");
            }
        }

        public static string Shorten(string text, int length) => text.Length <= length ? text : "…" + text.Substring(text.Length - length);
    }
}
