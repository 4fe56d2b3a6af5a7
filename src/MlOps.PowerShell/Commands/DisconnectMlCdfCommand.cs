using System.Management.Automation;
using MlOps.Cdf;
using MlOps.Diagnostics;
using MlOps.PowerShell.Infrastructure;
using MlOps.Registry;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Forgets the CDF secret Connect-MlCdf kept for an environment in this session.</para>
    /// <para type="description">Later commands read the secret from the environment variable the settings name again.</para>
    /// </summary>
    /// <example>
    ///   <code>'test', 'prod' | Disconnect-MlCdf</code>
    ///   <para>Forgets the secrets Connect-MlCdf kept for test and prod.</para>
    /// </example>
    /// <example>
    ///   <code>Connect-MlCdf test -Secret $secret; Publish-MlModelArtifact diabetes ./artifact -Environment test; Disconnect-MlCdf test</code>
    ///   <para>Uses a secret for a few commands only.</para>
    /// </example>
    [Cmdlet(VerbsCommunications.Disconnect, "MlCdf")]
    [OutputType(typeof(void))]
    public sealed class DisconnectMlCdfCommand : MlOpsCmdlet
    {
        /// <summary>
        /// <para type="description">The environment. Default: $env:ENV or $env:MODEL_ENV.</para>
        /// </summary>
        [Parameter(Position = 0, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(CdfEnvironmentNameCompleter))]
        public string? Environment { get; set; }

        protected override void ProcessRecord()
        {
            Try(() =>
            {
                var environment = Settings.GetEnvironment(RequireEnvironment(Environment));
                var cdf = environment.Registry.Cdf ?? throw new MlOpsException(ErrorIds.UnsupportedRegistry, MlOpsErrorKind.InvalidArgument,
                    $"The environment '{environment.Name}' does not use CDF.", environment.Name, "Name an environment whose registry has \"type\": \"cdf\".");
                if (!Connections.Pool.ForgetSecret(cdf.ApiKeyVariable ?? cdf.ClientSecretVariable))
                {
                    WriteVerbose($"No session secret was kept for {environment.Name}.");
                }
            });
        }
    }
}
