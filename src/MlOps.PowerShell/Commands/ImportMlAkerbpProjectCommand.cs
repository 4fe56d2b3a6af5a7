using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using MlOps.Diagnostics;
using MlOps.Migration;
using MlOps.PowerShell.Infrastructure;
using MlOps.Scaffolding;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Takes an akerbp.mlops repository over as an MlOps project: writes mlops.settings.json from its settings, and changes nothing else.</para>
    /// <para type="description">Reads the akerbp.mlops settings in -Path: mlops_settings.yaml (one YAML document per model) or
    /// mlops_settings.py (the 2021 seed's Python module, evaluated with the project's Python). Maps every field that has a
    /// counterpart into a new mlops.settings.json (model name; model, test and requirements files; artifact folder; platform;
    /// python_version as the CDF Functions runtime; models_to_keep and keep_all_models; the services and their descriptions and
    /// owners from info; a pinned artifact_version) with environments dev, test and prod (prod protected), and reports every
    /// field it read, with what became of it, in the Fields of the returned AkerbpImport (Unmapped: those it could not map,
    /// each with the reason; each is also a warning).</para>
    /// <para type="description">The model code, its tests and requirements.model stay as they are: the MlOps runtime provides
    /// what model code imports from akerbp.mlops (its loggers and exceptions), calls train() and ServiceTest the way
    /// akerbp.mlops does, and does not install the akerbp-mlops==MLOPS_VERSION requirement. Both layouts work: one model_code/
    /// folder at the root, and models/&lt;name&gt;/ with models/common_code/.</para>
    /// <para type="description">No existing file is changed: an existing mlops.settings.json, or the pipeline file of -CiSystem
    /// (bitbucket-pipelines.yml, for example), is reported and nothing is written unless -Force is given. A CI pipeline is
    /// written only when -CiSystem names one. A .mlops/.gitignore keeps MlOps's working folder out of git.</para>
    /// <para type="description">Models whose akerbp.mlops platform is cdf run on CDF Functions with a registry in CDF Files when
    /// the connection is given (-CdfProject, -CdfBaseUrl, -CdfClientId and -CdfTenantId or -CdfTokenUrl; the client secret is read
    /// from $env:COGNITE_CLIENT_SECRET_WRITE, akerbp.mlops's variable, or the one -CdfClientSecretVariable names); without it the
    /// environments run on the Local platform and the platform field is reported as not mapped.</para>
    /// </summary>
    /// <example>
    ///   <code>Import-MlAkerbpProject; Test-MlSetting; Deploy-MlPredictionService my_model -Environment dev</code>
    ///   <para>Takes over the akerbp.mlops repository in the current folder, checks the new settings and deploys the model on the Local platform with its dev artifact folder.</para>
    /// </example>
    /// <example>
    ///   <code>(Import-MlAkerbpProject ./forecasting -WhatIf)</code>
    ///   <para>Shows what would be written, and writes nothing.</para>
    /// </example>
    /// <example>
    ///   <code>(Import-MlAkerbpProject).Unmapped | Format-Table Model, Field, Value, Reason -Wrap</code>
    ///   <para>Lists the akerbp.mlops settings that have no counterpart in MlOps, and why.</para>
    /// </example>
    /// <example>
    ///   <code>Import-MlAkerbpProject -CdfProject my-project -CdfBaseUrl https://westeurope-1.cognitedata.com -CdfClientId $id -CdfTenantId $tenant -CiSystem Bitbucket -Force</code>
    ///   <para>Takes over a project deployed to CDF Functions, and replaces its bitbucket-pipelines.yml with MlOps's pipeline.</para>
    /// </example>
    [Cmdlet(VerbsData.Import, "MlAkerbpProject", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(AkerbpImport))]
    public sealed class ImportMlAkerbpProjectCommand : PSCmdlet
    {
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();

        /// <summary>
        /// <para type="description">The root folder of the akerbp.mlops repository (where mlops_settings.yaml or mlops_settings.py is). Default: the current folder.</para>
        /// </summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = ".";

        /// <summary>
        /// <para type="description">Also write a CI pipeline for this system: GitHub, AzureDevOps, Bitbucket, or None (the default: no pipeline).</para>
        /// </summary>
        [Parameter]
        public CiSystem CiSystem { get; set; } = CiSystem.None;

        /// <summary>
        /// <para type="description">The CDF project, for models whose akerbp.mlops platform is cdf.</para>
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CdfProject { get; set; }

        /// <summary>
        /// <para type="description">The CDF cluster URL, for example https://westeurope-1.cognitedata.com.</para>
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CdfBaseUrl { get; set; }

        /// <summary>
        /// <para type="description">The client id of the service principal that deploys (akerbp.mlops's COGNITE_CLIENT_ID_WRITE).</para>
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CdfClientId { get; set; }

        /// <summary>
        /// <para type="description">The Entra ID (Azure AD) tenant of the client (akerbp.mlops's COGNITE_TENANT_ID).</para>
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CdfTenantId { get; set; }

        /// <summary>
        /// <para type="description">The token URL, instead of -CdfTenantId, for identity providers other than Entra ID.</para>
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CdfTokenUrl { get; set; }

        /// <summary>
        /// <para type="description">The environment variable that holds the client secret. Default: COGNITE_CLIENT_SECRET_WRITE (akerbp.mlops's).</para>
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string CdfClientSecretVariable { get; set; } = AkerbpImportOptions.DefaultClientSecretVariable;

        /// <summary>
        /// <para type="description">Replace an existing mlops.settings.json or pipeline file.</para>
        /// </summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                var root = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
                var options = new AkerbpImportOptions
                {
                    CiSystem = CiSystem, Force = Force, CdfProject = CdfProject, CdfBaseUrl = CdfBaseUrl, CdfClientId = CdfClientId,
                    CdfTenantId = CdfTenantId, CdfTokenUrl = CdfTokenUrl, CdfClientSecretVariable = CdfClientSecretVariable,
                };
                var plan = AkerbpProjectImporter.Plan(root, options, _stopping.Token);
                ProjectScaffolder.CheckConflicts(plan.Scaffold, new ScaffoldOptions { Force = Force, Train = false });
                if (!ShouldProcess(plan.Describe(), $"Write MlOps settings for the akerbp.mlops project in {plan.Scaffold.ProjectRoot}?", "Import-MlAkerbpProject"))
                {
                    return;
                }

                var import = AkerbpProjectImporter.Import(plan, options, new MlOpsCmdlet.CmdletReporter(this));
                foreach (var field in import.Unmapped)
                {
                    WriteWarning($"{field.Model ?? "project"}: {field.Field} ({field.Value}) is not mapped: {field.Reason}.");
                }

                WriteObject(import);
            }
            catch (MlOpsException e)
            {
                WriteError(MlOpsCmdlet.ToErrorRecord(e));
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        protected override void StopProcessing() => _stopping.Cancel();
    }
}
