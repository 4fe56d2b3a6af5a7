using System.Collections;
using System.Linq;
using System.Management.Automation;
using MlOps.Deployment;
using MlOps.Diagnostics;
using MlOps.PowerShell.Infrastructure;
using MlOps.Registry;
using MlOps.Services;
using MlOps.Settings;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Finds model versions in the registry.</para>
    /// <para type="description">Lists the versions of the project's models, per environment, from the registry each environment's
    /// settings name. Filter by model name (wildcards), environment, version number, user metadata or the git commit the version
    /// was made from (-Commit; promoted versions keep their source's); -Latest returns only the highest matching version per
    /// model and environment, without reading the others when no filter is given. In dev, a model whose settings name an
    /// artifact folder shows that folder as version 1 until the dev registry holds a version. A stored version whose manifest
    /// cannot be read (changed outside MlOps) does not hide the others: the listing reports it as a non-terminating
    /// RegistryCorrupt error and goes on, and -Latest skips it with a warning.</para>
    /// </summary>
    /// <example>
    ///   <code>Get-MlModelVersion diabetes -Environment test -Latest</code>
    ///   <para>The newest version of diabetes in test, without reading the other versions.</para>
    /// </example>
    /// <example>
    ///   <code>Get-MlModelVersion -Metadata @{ stage = 'approved' } | Sort-Object CreatedTime</code>
    ///   <para>Every version of every model, in every environment, whose metadata says stage=approved.</para>
    /// </example>
    /// <example>
    ///   <code>Get-MlModelVersion -Environment prod -Commit (git rev-parse --short HEAD)</code>
    ///   <para>The prod versions trained from the code checked out now (promotions keep the commit of the version they copy).</para>
    /// </example>
    /// <example>
    ///   <code>Get-MlModelVersion diabetes | Format-Table -View Lineage</code>
    ///   <para>Where each version comes from: who created it, the version it was promoted from, and its git commit and branch.</para>
    /// </example>
    /// <example>
    ///   <code>Get-MlModelVersion diabetes -Environment test -Serving | Publish-MlModelArtifact -Environment prod -Confirm:$false</code>
    ///   <para>Promotes the version the test service serves and passed its deployed service test with.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "MlModelVersion", DefaultParameterSetName = AllSet)]
    [OutputType(typeof(ModelVersion))]
    public sealed class GetMlModelVersionCommand : MlOpsCmdlet
    {
        private const string AllSet = "All";
        private const string LatestSet = "Latest";
        private const string VersionSet = "Version";
        private const string ServingSet = "Serving";

        /// <summary>
        /// <para type="description">Model names; wildcards allowed. Default: every model.</para>
        /// </summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ModelNameCompleter))]
        public string[]? Name { get; set; }

        /// <summary>
        /// <para type="description">The environment to search. Default: $env:ENV or $env:MODEL_ENV when set, else every environment.</para>
        /// </summary>
        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
        public string? Environment { get; set; }

        /// <summary>
        /// <para type="description">Only this version number.</para>
        /// </summary>
        [Parameter(ParameterSetName = VersionSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, int.MaxValue)]
        [ArgumentCompleter(typeof(ModelVersionCompleter))]
        [WholeNumber]
        public int Version { get; set; }

        /// <summary>
        /// <para type="description">Only the highest matching version of each model in each environment.</para>
        /// </summary>
        [Parameter(ParameterSetName = LatestSet, Mandatory = true)]
        public SwitchParameter Latest { get; set; }

        /// <summary>
        /// <para type="description">The version each model's prediction service in the environment serves, and whose deployed service
        /// test passed: what was tested there, and so what to promote (the latest version may have been rolled back, or published by a
        /// training service and never deployed). A model without a deployed prediction service there returns nothing.</para>
        /// </summary>
        [Parameter(ParameterSetName = ServingSet, Mandatory = true)]
        public SwitchParameter Serving { get; set; }

        /// <summary>
        /// <para type="description">Only versions whose user metadata holds all these key/value pairs, for example @{ stage = 'approved' }.</para>
        /// </summary>
        [Parameter]
        public Hashtable? Metadata { get; set; }

        /// <summary>
        /// <para type="description">Only versions made from this git commit: its id or the start of it (at least 4 hexadecimal digits).</para>
        /// </summary>
        [Parameter]
        [CommitId]
        [ArgumentCompleter(typeof(CommitCompleter))]
        public string? Commit { get; set; }

        protected override void ProcessRecord()
        {
            Try(() =>
            {
                var registry = NewRegistry();
                var environment = SettingsLoader.ResolveEnvironmentName(Environment);
                // Without an environment, each one is searched on its own: one that cannot be reached (a CDF secret not
                // set here) is reported and the others are still listed.
                var environments = environment != null ? new[] { environment } : Settings.Environments.Select(e => e.Name).ToArray();
                var found = new System.Collections.Generic.List<ModelVersion>();
                if (ParameterSetName == ServingSet)
                {
                    WriteServing(environments, found);
                    ReportMissing(found, environment);
                    return;
                }

                foreach (var env in environments)
                {
                    Try(() =>
                    {
                        var query = new VersionQuery
                        {
                            NameFilter = Wildcards.Matcher(Name),
                            Environment = env,
                            Version = ParameterSetName == VersionSet ? Version : (int?)null,
                            Latest = Latest,
                            Metadata = MetadataConverter.ToStrings(Metadata),
                            Commit = Commit,
                            // A damaged version does not hide the others: listed, it is a non-terminating error; looking for the
                            // latest, a warning that says which one was skipped.
                            Damaged = Latest
                                ? e => WriteWarning($"Skipped a damaged version: {e.Message} The highest intact version is returned.")
                                : (System.Action<MlOpsException>)(e => WriteError(ToErrorRecord(e))),
                        };
                        foreach (var version in registry.Find(query, Cancellation))
                        {
                            found.Add(version);
                            WriteObject(version);
                        }
                    });
                }

                ReportMissing(found, environment);
            });
        }

        private void WriteServing(string[] environments, System.Collections.Generic.List<ModelVersion> found)
        {
            var deployer = NewDeployer();
            var matches = Wildcards.Matcher(Name);
            foreach (var env in environments)
            {
                foreach (var model in Settings.Models.Where(m => m.Services.Contains("prediction") && matches(m.Name)))
                {
                    Try(() =>
                    {
                        if (deployer.ServingVersion(model.Name, env) is ModelVersion version
                            && (Commit == null || version.Revision?.MatchesCommit(Commit) == true)
                            && (Metadata == null || MetadataConverter.ToStrings(Metadata)!.All(p => version.Metadata.TryGetValue(p.Key, out var v) && v == p.Value)))
                        {
                            found.Add(version);
                            WriteObject(version);
                        }
                    });
                }
            }
        }

        /// <summary>A literal name (or a requested version) that matched nothing is an error; a wildcard that matched nothing is not.</summary>
        private void ReportMissing(System.Collections.Generic.List<ModelVersion> found, string? environment)
        {
            foreach (var name in (Name ?? new string[0]).Where(n => !WildcardPattern.ContainsWildcardCharacters(n)))
            {
                if (found.Any(v => string.Equals(v.Name, name, System.StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                var where = environment != null ? $" in {environment}" : string.Empty;
                // A name that cannot be a model, or (except for -Serving, which names services) one the settings do not define.
                if ((ParameterSetName == ServingSet ? NameRules.ModelNameError(name) : Settings.ModelError(name)) is MlOpsException problem)
                {
                    WriteError(ToErrorRecord(problem));
                    continue;
                }

                if (ParameterSetName == VersionSet)
                {
                    WriteError(ToErrorRecord(new MlOpsException(ErrorIds.ModelVersionNotFound, MlOpsErrorKind.NotFound,
                        $"Model '{name}' has no version {Version}{where}{MetadataText}.", $"{name}/{environment ?? "*"}/{Version}",
                        "List the existing versions with Get-MlModelVersion -Name " + name + ".")));
                }
                else if (ParameterSetName == ServingSet)
                {
                    WriteError(ToErrorRecord(new MlOpsException(ErrorIds.ServiceNotFound, MlOpsErrorKind.NotFound,
                        $"Model '{name}' has no deployed prediction service{where}{MetadataText}, so no version was tested there.", name,
                        "Deploy it there first (Deploy-MlPredictionService), or name the version to promote with -Version.")));
                }
                else
                {
                    WriteError(ToErrorRecord(new MlOpsException(ErrorIds.ModelNotFound, MlOpsErrorKind.NotFound,
                        $"Model '{name}' has no version{where}{MetadataText}.", name,
                        "Publish one with Publish-MlModelArtifact, or check the name with Get-MlSetting -Model *.")));
                }
            }
        }

        private string MetadataText =>
            (Metadata == null || Metadata.Count == 0 ? string.Empty : " matching the metadata filter")
            + (Commit == null ? string.Empty : $" made from commit {Commit}");
    }
}
