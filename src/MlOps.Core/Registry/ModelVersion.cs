using System;
using System.Collections.Generic;
using MlOps.SourceControl;

namespace MlOps.Registry
{
    /// <summary>
    /// One immutable version of a model's artifacts in one environment, identified as <c>&lt;model&gt;/&lt;env&gt;/&lt;N&gt;</c>.
    /// </summary>
    public sealed class ModelVersion
    {
        public ModelVersion(string name, string environment, int version, string contentHash, DateTimeOffset createdTime,
            string createdBy, string? promotedFrom, IReadOnlyList<ArtifactFile> files, IReadOnlyDictionary<string, string> metadata,
            IReadOnlyDictionary<string, string> systemMetadata, string registry, string location, bool isLocalFolder,
            int? fileCount = null, long? size = null, IReadOnlyList<ExcludedPath>? excluded = null)
        {
            Excluded = excluded ?? Array.Empty<ExcludedPath>();
            _fileCount = fileCount;
            _size = size;
            Name = name;
            Environment = environment;
            Version = version;
            ContentHash = contentHash;
            CreatedTime = createdTime;
            CreatedBy = createdBy;
            PromotedFrom = promotedFrom;
            Files = files;
            Metadata = metadata;
            SystemMetadata = systemMetadata;
            Registry = registry;
            Location = location;
            IsLocalFolder = isLocalFolder;
        }

        /// <summary>The model's name.</summary>
        public string Name { get; }

        public string Environment { get; }

        public int Version { get; }

        /// <summary><c>&lt;model&gt;/&lt;env&gt;/&lt;N&gt;</c>, as services report it.</summary>
        public string ModelId => ModelVersionId.Format(Name, Environment, Version);

        /// <summary><c>sha256:</c> over every file's path, size and SHA-256; equal for a version and its promotions.</summary>
        public string ContentHash { get; }

        public DateTimeOffset CreatedTime { get; }

        public string CreatedBy { get; }

        /// <summary>The model id this version was promoted from, or null for a published artifact.</summary>
        public string? PromotedFrom { get; }

        /// <summary>The files with sizes and SHA-256s, when the store lists them without downloading (empty for CDF Files).</summary>
        public IReadOnlyList<ArtifactFile> Files { get; }

        private readonly int? _fileCount;
        private readonly long? _size;

        /// <summary>How many files the version holds (from its manifest; a store may know it without listing the files).</summary>
        public int FileCount => _fileCount ?? Files.Count;

        /// <summary>Total size in bytes.</summary>
        public long Size
        {
            get
            {
                if (_size != null)
                {
                    return _size.Value;
                }

                long total = 0;
                foreach (var file in Files)
                {
                    total += file.Length;
                }

                return total;
            }
        }

        /// <summary>
        /// What the ignore rules (built-in defaults and the artifact folder's <c>.mlopsignore</c>) left out when the version
        /// was published, with the rule for each; empty for versions published before MlOps recorded it. CDF keeps the
        /// first paths only (its metadata is small): <c>SystemMetadata["excluded"]</c> has the full count.
        /// </summary>
        public IReadOnlyList<ExcludedPath> Excluded { get; }

        /// <summary>The user's metadata: metrics, git commit, anything given at publish time.</summary>
        public IReadOnlyDictionary<string, string> Metadata { get; }

        /// <summary>What MlOps records: version, environment, created time and user, content hash, lineage, git revision, host, tool version.</summary>
        public IReadOnlyDictionary<string, string> SystemMetadata { get; }

        /// <summary>
        /// The git revision of the code the version was made from (the project's commit when it was published, kept by
        /// promotions); null when the project was not in a git repository or the version predates this record.
        /// </summary>
        public SourceRevision? Revision => SourceRevision.ReadFrom(SystemMetadata);

        /// <summary>The registry holding the version, as <c>type:location</c>.</summary>
        public string Registry { get; }

        /// <summary>Where the version's files are (a folder for the local store).</summary>
        public string Location { get; }

        /// <summary>True for dev's version 1 served straight from the settings' artifact folder (not copied, not hashed).</summary>
        public bool IsLocalFolder { get; }

        public override string ToString() => ModelId;
    }
}
