using MlOps.Diagnostics;

namespace MlOps.Registry
{
    /// <summary>
    /// A publish that must take an exact number (a promotion) found a complete version there; nothing was stored.
    /// <see cref="ProjectRegistry.Promote"/> compares the two and returns the existing one when it holds the same bytes.
    /// </summary>
    public sealed class VersionNumberTakenException : MlOpsException
    {
        public VersionNumberTakenException(ModelVersion existing)
            : base(ErrorIds.PromotionConflict, MlOpsErrorKind.AlreadyExists, $"{existing.ModelId} already exists.", existing.ModelId,
                "Compare it with the version being promoted; a version number names one artifact in every environment.")
        {
            Existing = existing;
        }

        public ModelVersion Existing { get; }
    }
}
