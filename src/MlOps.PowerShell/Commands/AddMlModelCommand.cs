using System.Management.Automation;
using MlOps.PowerShell.Infrastructure;
using MlOps.Scaffolding;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Adds a model to an existing model project: its folder from the template, and its settings entry.</para>
    /// <para type="description">Writes models/&lt;Name&gt;/ (model.py, test_model.py, requirements.model, training_data.csv, __init__.py),
    /// creates models/common_code/ if the project has none, and appends the model to "models" in mlops.settings.json: code folder
    /// models/&lt;Name&gt;, artifact folder artifacts/&lt;Name&gt;, services prediction and training. The rest of the settings file is
    /// kept byte for byte (comments, order, formatting). Then it trains the model's first artifact with the model's own train(),
    /// so Deploy-MlPredictionService -Environment dev -TestOnly passes at once. A name the settings already define is an error
    /// (ModelAlreadyExists); files that exist are left alone and nothing is written, unless -Force is given. Returns a
    /// ModelScaffold, whose Name pipes into the Deploy and Get cmdlets.</para>
    /// </summary>
    /// <example>
    ///   <code>Add-MlModel churn</code>
    ///   <para>Adds the model 'churn' to the project of the current folder and trains its first artifact.</para>
    /// </example>
    /// <example>
    ///   <code>Add-MlModel churn | Deploy-MlPredictionService -Environment dev -TestOnly</code>
    ///   <para>Adds a model and runs its model tests and service tests against its first artifact.</para>
    /// </example>
    /// <example>
    ///   <code>'churn', 'demand' | Add-MlModel -SettingsPath ./forecast -NoTraining -WhatIf</code>
    ///   <para>Shows what adding two models to the project in ./forecast would write, and writes nothing.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Add, "MlModel", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ModelScaffold))]
    public sealed class AddMlModelCommand : MlOpsCmdlet
    {
        /// <summary>
        /// <para type="description">The new model's name: 1 to 64 letters, digits or underscores, not defined in the settings yet.</para>
        /// </summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; } = new string[0];

        /// <summary>
        /// <para type="description">Do not train the first artifact (dev then has no version until you train one into artifacts/&lt;Name&gt;).</para>
        /// </summary>
        [Parameter]
        public SwitchParameter NoTraining { get; set; }

        /// <summary>
        /// <para type="description">Replace model files (and a non-empty artifact folder) that already exist.</para>
        /// </summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var name in Name)
            {
                Try(() =>
                {
                    var plan = ProjectScaffolder.PlanModel(LocateSettings(), name);
                    var options = new ScaffoldOptions { Force = Force, Train = !NoTraining };
                    ProjectScaffolder.CheckConflicts(plan, options);
                    if (!ShouldProcess(plan.Describe(options.Train), $"Add the model '{name}' to {plan.SettingsPath}?", "Add-MlModel"))
                    {
                        return;
                    }

                    WriteObject(ProjectScaffolder.AddModel(plan, options, Reporter, Cancellation));
                });
            }
        }
    }
}
