using System.Management.Automation;
using MlOps.PowerShell.Infrastructure;
using MlOps.Settings;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Shows the settings of the current model project.</para>
    /// <para type="description">Reads and validates mlops.settings.json (found from the current location upwards, or named with
    /// -SettingsPath or $env:MLOPS_SETTINGS), applies MLOPS__ environment-variable overrides, and returns the project with its
    /// models and environments. Invalid settings stop the command with an InvalidSettings error listing every problem.</para>
    /// </summary>
    /// <example>
    ///   <code>Get-MlSetting</code>
    ///   <para>Shows the project's settings: models, environments with their registry and platform, and the Python named.</para>
    /// </example>
    /// <example>
    ///   <code>Get-MlSetting -Environment prod | Format-List *</code>
    ///   <para>Shows where prod keeps its versions and runs its services.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "MlSetting", DefaultParameterSetName = "Project")]
    [OutputType(typeof(ProjectSettings), typeof(ModelSettings), typeof(EnvironmentSettings))]
    public sealed class GetMlSettingCommand : MlOpsCmdlet
    {
        /// <summary>
        /// <para type="description">Return the settings of the named models instead of the project (wildcards allowed).</para>
        /// </summary>
        [Parameter(ParameterSetName = "Model", Mandatory = true)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(ModelNameCompleter))]
        public string[] Model { get; set; } = new string[0];

        /// <summary>
        /// <para type="description">Return the settings of the named environments instead of the project (wildcards allowed).</para>
        /// </summary>
        [Parameter(ParameterSetName = "Environment", Mandatory = true)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
        public string[] Environment { get; set; } = new string[0];

        protected override void EndProcessing()
        {
            Run(() =>
            {
                var settings = Settings;
                switch (ParameterSetName)
                {
                    case "Model":
                        var models = Wildcards.Filter(settings.Models, m => m.Name, Model);
                        models.ForEach(WriteObject);
                        break;
                    case "Environment":
                        var environments = Wildcards.Filter(settings.Environments, e => e.Name, Environment);
                        environments.ForEach(WriteObject);
                        break;
                    default:
                        WriteObject(settings);
                        break;
                }
            });
        }
    }
}
