using System;
using System.Management.Automation;
using System.Threading;
using MlOps.Diagnostics;
using MlOps.PowerShell.Infrastructure;
using MlOps.Scaffolding;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Creates a model project that tests and deploys at once: settings, a first model, shared code and a CI pipeline.</para>
    /// <para type="description">Writes into -Path (created if needed): mlops.settings.json (environments dev, test and prod; prod
    /// protected), models/&lt;ModelName&gt;/ with model.py (the model interface: train, initialization, predict), test_model.py
    /// (pytest tests and class ServiceTest), requirements.model (pinned requirements) and training_data.csv, models/common_code/
    /// with code the models share, a .gitignore that keeps artifacts/, .mlops/ and .venv/ out of git, and the pipeline file of
    /// -CiSystem (GitHub Actions, Azure DevOps or Bitbucket). The model is a small but real one (a straight line fitted with
    /// Python's standard library); replace it with yours. Then it trains the model's first artifact into artifacts/&lt;ModelName&gt;/
    /// with the model's own train(), so Test-MlSetting and Deploy-MlPredictionService -Environment dev -TestOnly pass at once.
    /// Files that exist are left alone and reported, and nothing is written, unless -Force is given. Everything is written or
    /// nothing. Returns a ProjectScaffold with the models and files created.</para>
    /// </summary>
    /// <example>
    ///   <code>New-MlProject ./churn-model -ModelName churn -CiSystem Bitbucket; Set-Location ./churn-model; Test-MlSetting</code>
    ///   <para>Creates a project with the model 'churn' and a Bitbucket pipeline, and checks its settings.</para>
    /// </example>
    /// <example>
    ///   <code>New-MlProject ./forecast -ModelName demand | Select-Object -ExpandProperty Files</code>
    ///   <para>Creates a project with a GitHub Actions workflow and lists every file written.</para>
    /// </example>
    /// <example>
    ///   <code>(New-MlProject ./forecast -ModelName demand).Models | Deploy-MlPredictionService -Environment dev -TestOnly -SettingsPath ./forecast</code>
    ///   <para>Creates a project and runs the new model's tests and service tests against its first artifact.</para>
    /// </example>
    /// <example>
    ///   <code>New-MlProject ./forecast -CiSystem AzureDevOps -WhatIf</code>
    ///   <para>Shows the files that would be written, and writes none.</para>
    /// </example>
    [Cmdlet(VerbsCommon.New, "MlProject", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ProjectScaffold))]
    public sealed class NewMlProjectCommand : PSCmdlet
    {
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();

        /// <summary>
        /// <para type="description">The project folder; created if it does not exist. A folder that exists may hold other files.</para>
        /// </summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary>
        /// <para type="description">The first model's name: 1 to 64 letters, digits or underscores (it becomes part of model/env/N ids and
        /// model-service-env names). Default: my_model.</para>
        /// </summary>
        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty]
        public string ModelName { get; set; } = "my_model";

        /// <summary>
        /// <para type="description">The CI system to write a pipeline for: GitHub (.github/workflows/mlops.yml, the default), AzureDevOps
        /// (azure-pipelines.yml), Bitbucket (bitbucket-pipelines.yml), or None.</para>
        /// </summary>
        [Parameter]
        public CiSystem CiSystem { get; set; } = CiSystem.GitHub;

        /// <summary>
        /// <para type="description">The project's name in the settings ("project") and pipeline. Default: the folder's name.</para>
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ProjectName { get; set; }

        /// <summary>
        /// <para type="description">Do not train the first artifact (dev then has no version until you train one into artifacts/&lt;ModelName&gt;).</para>
        /// </summary>
        [Parameter]
        public SwitchParameter NoTraining { get; set; }

        /// <summary>
        /// <para type="description">Replace files (and a non-empty artifact folder) that already exist.</para>
        /// </summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                var root = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
                var plan = ProjectScaffolder.PlanProject(root, ProjectName, ModelName, CiSystem);
                var options = new ScaffoldOptions { Force = Force, Train = !NoTraining };
                ProjectScaffolder.CheckConflicts(plan, options);
                if (!ShouldProcess(plan.Describe(options.Train), $"Create the model project '{plan.ProjectName}' in {plan.ProjectRoot}?", "New-MlProject"))
                {
                    return;
                }

                WriteObject(ProjectScaffolder.CreateProject(plan, options, new MlOpsCmdlet.CmdletReporter(this), _stopping.Token));
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
