using System;
using System.Collections.Generic;
using MlOps.Cdf;

namespace MlOps.Diagnostics
{
    /// <summary>
    /// What to do next for each stable error id, used when the code that raised an error had nothing more specific to
    /// say: every MlOps error record carries a recommended action. A new error id gets its entry here (a test checks it).
    /// </summary>
    public static class RecommendedActions
    {
        private const string Fallback = "See Get-Help about_MlOps for what the error means; run the command again with -Verbose for details.";

        private static readonly Dictionary<string, string> Actions = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ErrorIds.SettingsNotFound] = "Run the command inside a model project, pass -SettingsPath, or set $env:MLOPS_SETTINGS.",
            [ErrorIds.InvalidSettings] = "Fix the listed settings; Test-MlSetting -Detailed shows each problem with its JSON path.",
            [ErrorIds.EnvironmentNotFound] = "Use one of the environments in the settings (Get-MlSetting -Environment * lists them).",
            [ErrorIds.EnvironmentNotSpecified] = "Pass -Environment (dev, test, prod …) or set $env:ENV.",
            [ErrorIds.InvalidModelName] = "Use 1-64 letters, digits or underscores: the name becomes part of model ids and service names.",
            [ErrorIds.ModelNotFound] = "Check the name with Get-MlSetting -Model *, and list versions with Get-MlModelVersion.",
            [ErrorIds.ModelVersionNotFound] = "List the existing versions with Get-MlModelVersion -Name <model> -Environment <environment>.",
            [ErrorIds.InvalidModelVersionId] = "Write model ids as <model>/<environment>/<version>, for example diabetes/test/3.",
            [ErrorIds.ArtifactPathNotFound] = "Pass the folder the model's train() wrote its artifact files into.",
            [ErrorIds.EmptyArtifactFolder] = "Train the model first: the artifact folder must hold at least one file.",
            [ErrorIds.InvalidArtifactFolder] = "Pass the folder that holds only the model's artifact files: not a file, not a folder that holds a registry or lies inside one, and without links that loop or dangle, links to folders, FIFOs, sockets or devices (or leave those out in .mlopsignore).",
            [ErrorIds.InvalidMetadata] = "Pass metadata as a hashtable of single values within CDF's file-metadata limits.",
            [ErrorIds.ContentHashMismatch] = "The stored files differ from their manifest: publish the version again from its source, and check the storage.",
            [ErrorIds.DestinationWriteFailed] = "Check that the destination folder is writable and has free space, then save again: nothing was left there.",
            [ErrorIds.DeploymentWriteFailed] = "Check that the project's .mlops folder is writable and has free space, then deploy again: the deployment that served still serves.",
            [ErrorIds.DestinationNotEmpty] = "Choose an empty or new folder, or use -Force to replace the folder's contents.",
            [ErrorIds.RegistryCorrupt] = "Inspect the version's folder or file in the registry; a version never changes after publishing, so restore it from a backup.",
            [ErrorIds.RegistryWriteFailed] = "Check that the registry is reachable and writable, then publish again: an incomplete version is never visible.",
            [ErrorIds.PromotionToSameEnvironment] = "Name another environment with -Environment.",
            [ErrorIds.UnsupportedRegistry] = "Use a registry type MlOps supports (local or cdf) in the environment's settings.",
            [ErrorIds.UnsupportedPlatform] = "Use a platform type MlOps supports in the environment's settings.",
            [ErrorIds.PythonNotFound] = "Install Python 3 with pytest, or point $env:MLOPS_PYTHON (or the settings' \"python\") at an interpreter.",
            [ErrorIds.PythonPackageMissing] = "Install the model's pinned requirements (requirements.model) into the Python MlOps uses.",
            [ErrorIds.ProcessTimedOut] = "Find out why the process is slow (run it by hand), or raise the timeout where the command offers one.",
            [ErrorIds.InvalidModelCode] = "Keep the model's code inside the project and define train, initialization and predict as about_MlOps describes.",
            [ErrorIds.ModelTestsFailed] = "Run python -m pytest on the model's folder, fix the failing tests and deploy again; nothing was switched.",
            [ErrorIds.ServiceTestFailed] = "Check ServiceTest in test_model.py and the service log (Get-MlServiceLog); nothing was switched.",
            [ErrorIds.ServiceStartFailed] = "Read the service log (Get-MlServiceLog) for the model's start-up error; the current deployment keeps serving.",
            [ErrorIds.ServiceNotFound] = "Deploy it with Deploy-MlPredictionService or Deploy-MlTrainingService, or list services with Get-MlService.",
            [ErrorIds.ServiceUnavailable] = "Check the service with Get-MlService and its log with Get-MlServiceLog; deploy it again if it is not Running.",
            [ErrorIds.ServiceReturnedError] = "The model could not handle this input: check the input, and read the call's lines with Get-MlServiceLog -CallId.",
            [ErrorIds.ServiceNotOffered] = "Add the service to the model's \"services\" in the settings.",
            [ErrorIds.InvalidServiceInput] = "Pass -Data as a hashtable, custom object or array of JSON-compatible values, or -Json as valid JSON text.",
            [ErrorIds.DeploymentNotFound] = "See Get-MlDeploymentHistory for the deployments still kept (IsAvailable), or deploy the version you need again.",
            [ErrorIds.FunctionDeployFailed] = "Read CDF's build trace in the message (usually a requirement that cannot be installed); the current deployment keeps serving.",
            [ErrorIds.FunctionDeployTimedOut] = "Try again later, or raise platform.deployTimeoutMinutes in the settings; the current deployment keeps serving.",
            [ErrorIds.ServiceCallFailed] = "Read the call's log in the message or with Get-MlServiceLog; a crash or timeout points at the model or the function's cpu/memory.",
            [ErrorIds.SchedulesNotSupported] = "Use an environment on the cdf platform for schedules, or run Invoke-MlTraining from a scheduled task.",
            [ErrorIds.InvalidSchedule] = "Use a name of letters, digits, '.', '_' or '-', and a five-field cron expression in UTC such as '0 3 * * *'.",
            [ErrorIds.ScheduleNotFound] = "List the service's schedules with Get-MlServiceSchedule.",
            [ErrorIds.ProjectFileExists] = "Choose an empty folder, or pass -Force to replace the files MlOps writes.",
            [ErrorIds.ProjectWriteFailed] = "Check that the folder is writable and has free space, then run the command again: nothing was written.",
            [ErrorIds.PromotionConflict] = "The target already has a different artifact under that number: publish the artifact as a new version and promote that one.",
            [ErrorIds.ConfirmationRequired] = "Pass -Confirm:$false (or -Force) to change a protected environment from a script or CI step.",
            [ErrorIds.ServiceBusy] = "Another command is changing the service: run this one again when it has finished.",
            [ErrorIds.CdfSessionRejected] = "Call again; if it persists, check that the client may create sessions (sessionsAcl:CREATE) with Test-MlCdfConnection.",
            [ErrorIds.ModelSecretMissing] = "Set the environment variable the model's settings name for the secret, or store the vault secret they name, then deploy again.",
            [ErrorIds.AkerbpSettingsNotFound] = "Run Import-MlAkerbpProject in the root of the akerbp.mlops repository, where mlops_settings.yaml or mlops_settings.py is.",
            [ErrorIds.InvalidAkerbpSettings] = "Fix the akerbp.mlops settings file so that akerbp.mlops itself would read it, then import again.",
            [ErrorIds.ModelAlreadyExists] = "Choose another model name, or pass -Force to rewrite the model's files.",
            [ErrorIds.SettingsBusy] = "Another MlOps command is editing the settings file: wait for it to finish and try again.",
            [CdfErrorIds.CdfAuthenticationFailed] = "Check the client id, tenant or token URL and the secret; Test-MlCdfConnection shows which check fails.",
            [CdfErrorIds.CdfAccessDenied] = "Ask the CDF project's admin for the missing capability; Test-MlCdfConnection -Detailed names it.",
            [CdfErrorIds.CdfResourceNotFound] = "Check the project, directory and ids in the settings; the resource may have been deleted.",
            [CdfErrorIds.CdfDuplicated] = "Another writer created the same resource: run the command again.",
            [CdfErrorIds.CdfBadRequest] = "CDF rejected the request: check the values in the settings and the command's arguments.",
            [CdfErrorIds.CdfThrottled] = "CDF is limiting requests: try again later, or run fewer commands against the project at once.",
            [CdfErrorIds.CdfServiceUnavailable] = "CDF is unavailable: try again later; nothing incomplete was left visible.",
            [CdfErrorIds.CdfConnectionFailed] = "Check the network and the baseUrl in the settings; Test-MlCdfConnection -Detailed shows each check.",
            [CdfErrorIds.CdfTimeout] = "CDF did not answer in time: check the network and try again.",
            [CdfErrorIds.CdfInvalidResponse] = "CDF answered unexpectedly: try again, and report the request id in the message if it persists.",
            [CdfErrorIds.CdfInvalidOptions] = "Fix the environment's CDF settings (project, baseUrl, clientId with tokenUrl or tenantId); Test-MlSetting shows problems.",
            [CdfErrorIds.SecretMissing] = "Set the environment variable the settings name (clientSecretVariable), or run Connect-MlCdf for this session.",
        };

        /// <summary>The error ids with an entry.</summary>
        public static IReadOnlyCollection<string> KnownErrorIds => Actions.Keys;

        /// <summary>What to do next for <paramref name="errorId"/>; a general hint for an id without an entry.</summary>
        public static string For(string errorId) => Actions.TryGetValue(errorId, out var action) ? action : Fallback;
    }
}
