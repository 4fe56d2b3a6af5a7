namespace MlOps.Scaffolding
{
    /// <summary>What a file written by New-MlProject or Add-MlModel is for.</summary>
    public enum ScaffoldFileKind
    {
        Settings,
        GitIgnore,
        Package,
        CommonCode,
        Model,
        Tests,
        Requirements,
        TrainingData,
        Pipeline,
    }

    /// <summary>What happened to a file.</summary>
    public enum ScaffoldFileStatus
    {
        /// <summary>The file did not exist and was written.</summary>
        Created,

        /// <summary>The file existed and was replaced (-Force).</summary>
        Replaced,

        /// <summary>The file existed and was edited in place (the settings file, by Add-MlModel).</summary>
        Updated,
    }
}
