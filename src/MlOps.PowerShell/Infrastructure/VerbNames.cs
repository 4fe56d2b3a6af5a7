namespace MlOps.PowerShell.Infrastructure
{
    /// <summary>
    /// Verbs PowerShellStandard.Library has no constant for. Deploy is an approved verb since PowerShell 6;
    /// Windows PowerShell 5.1 may warn about it on import.
    /// </summary>
    internal static class VerbNames
    {
        public const string Deploy = "Deploy";
    }
}
