namespace MlOps.Scaffolding
{
    /// <summary>The CI systems New-MlProject writes a pipeline for.</summary>
    public enum CiSystem
    {
        /// <summary>No pipeline file.</summary>
        None,

        /// <summary>GitHub Actions: .github/workflows/mlops.yml.</summary>
        GitHub,

        /// <summary>Azure DevOps Pipelines: azure-pipelines.yml.</summary>
        AzureDevOps,

        /// <summary>Bitbucket Pipelines: bitbucket-pipelines.yml.</summary>
        Bitbucket,
    }
}
