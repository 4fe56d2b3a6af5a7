namespace MlOps.Registry
{
    /// <summary>The version a promotion produced, and whether it was new or an earlier promotion of the same source.</summary>
    public sealed class PromotionResult
    {
        public PromotionResult(ModelVersion version, bool created)
        {
            Version = version;
            Created = created;
        }

        public ModelVersion Version { get; }

        public bool Created { get; }
    }
}
