using MlOps.SourceControl;

namespace MlOps.Registry
{
    /// <summary>
    /// Where a new version comes from, recorded with it: the version it was promoted from (lineage), and the
    /// source-control revision of the code that made it (the project's commit when it was published, carried along
    /// unchanged by promotions).
    /// </summary>
    public sealed class PublishOrigin
    {
        public PublishOrigin(string? promotedFrom, SourceRevision? revision)
        {
            PromotedFrom = promotedFrom;
            Revision = revision;
        }

        /// <summary>The model id of the version this one is a copy of, or null for a new artifact.</summary>
        public string? PromotedFrom { get; }

        /// <summary>The code's revision, or null when the project is not in a git repository.</summary>
        public SourceRevision? Revision { get; }

        /// <summary>A new artifact made from the code at <paramref name="revision"/>.</summary>
        public static PublishOrigin FromRevision(SourceRevision? revision) => new PublishOrigin(null, revision);

        /// <summary>A copy of <paramref name="source"/>: its lineage and the revision it was made from.</summary>
        public static PublishOrigin PromotionOf(ModelVersion source) => new PublishOrigin(source.ModelId, source.Revision);
    }
}
