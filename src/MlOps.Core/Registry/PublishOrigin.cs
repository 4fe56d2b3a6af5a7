using System;
using System.Collections.Generic;
using MlOps.SourceControl;

namespace MlOps.Registry
{
    /// <summary>
    /// Where a new version comes from, recorded with it: the version it was promoted from (lineage), and the
    /// source-control revision of the code that made it (the project's commit when it was published, carried along
    /// unchanged by promotions). It also says which number the version takes: a promotion keeps its source's number
    /// (<see cref="Number"/>); a new artifact takes one above every number the model has in the store's environments and
    /// above <see cref="NumberAbove"/> (the numbers it has in the project's other stores).
    /// </summary>
    public sealed class PublishOrigin
    {
        public PublishOrigin(string? promotedFrom, SourceRevision? revision, int? number = null, int numberAbove = 0,
            IReadOnlyList<ExcludedPath>? excluded = null)
        {
            Excluded = excluded ?? Array.Empty<ExcludedPath>();
            PromotedFrom = promotedFrom;
            Revision = revision;
            Number = number;
            NumberAbove = numberAbove;
        }

        /// <summary>
        /// The exact number the version must have (a promotion keeps its number, as akerbp.mlops does); when another version
        /// has it, the store throws <see cref="VersionNumberTakenException"/> and stores nothing. Null: a new number.
        /// </summary>
        public int? Number { get; }

        /// <summary>A new number is above this one (the highest the model has in the project's other stores).</summary>
        public int NumberAbove { get; }

        /// <summary>The same origin with the number rule given.</summary>
        public PublishOrigin WithNumber(int? number, int numberAbove) => new PublishOrigin(PromotedFrom, Revision, number, numberAbove, Excluded);

        /// <summary>The model id of the version this one is a copy of, or null for a new artifact.</summary>
        public string? PromotedFrom { get; }

        /// <summary>The code's revision, or null when the project is not in a git repository.</summary>
        public SourceRevision? Revision { get; }

        /// <summary>What the source version's publish left out of its artifact folder (a promotion keeps the record).</summary>
        public IReadOnlyList<ExcludedPath> Excluded { get; }

        /// <summary>What a new version records as left out: what <paramref name="source"/> left out, else what its origin did.</summary>
        internal static IReadOnlyList<ExcludedPath> ExcludedOf(IArtifactSource source, PublishOrigin? origin) =>
            (source as IExcludingSource)?.Excluded is IReadOnlyList<ExcludedPath> own && own.Count > 0 ? own : origin?.Excluded ?? Array.Empty<ExcludedPath>();

        /// <summary>A new artifact made from the code at <paramref name="revision"/>.</summary>
        public static PublishOrigin FromRevision(SourceRevision? revision) => new PublishOrigin(null, revision);

        /// <summary>A copy of <paramref name="source"/>: its lineage and the revision it was made from.</summary>
        public static PublishOrigin PromotionOf(ModelVersion source) => new PublishOrigin(source.ModelId, source.Revision, excluded: source.Excluded);
    }
}
