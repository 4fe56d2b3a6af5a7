<#
.SYNOPSIS
    Redeploys every model of a project to one environment.

.DESCRIPTION
    Deploys, for each model in the settings, the services it offers (prediction from the environment's latest version,
    and training) to the environment, in parallel up to -ThrottleLimit. One model's failure does not stop the others;
    the runbook ends with an error naming the ones that failed. Built only from MlOps's public cmdlets; supports
    -WhatIf and -Confirm.

.PARAMETER Environment
    The environment to redeploy (dev, test, prod…).

.PARAMETER ThrottleLimit
    How many deploys run at once (default 2).

.PARAMETER SettingsPath
    The project's settings file or folder (default: found from the current location).

.EXAMPLE
    ./scripts/runbooks/Update-MlEnvironment.ps1 -Environment test -Confirm:$false

.EXAMPLE
    ./scripts/runbooks/Update-MlEnvironment.ps1 -Environment prod -ThrottleLimit 4 -WhatIf
#>
[CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
param(
    [Parameter(Mandatory)] [string] $Environment,
    [ValidateRange(1, 64)] [int] $ThrottleLimit = 2,
    [string] $SettingsPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$common = @{}
if ($SettingsPath) { $common.SettingsPath = $SettingsPath }

$settings = Get-MlSetting @common
# Member access, not ForEach-Object: under -WhatIf, ForEach-Object -MemberName itself asks ShouldProcess.
$prediction = @(@($settings.Models | Where-Object { $_.Services -contains 'prediction' }).Name)
$training = @(@($settings.Models | Where-Object { $_.Services -contains 'training' }).Name)
if (-not $PSCmdlet.ShouldProcess("$Environment ($(@($prediction + $training | Select-Object -Unique) -join ', '))", 'Redeploy every model')) {
    return
}

$failed = [Collections.Generic.List[string]]::new()
foreach ($deploy in @(
        @{ Command = 'Deploy-MlPredictionService'; Names = $prediction },
        @{ Command = 'Deploy-MlTrainingService'; Names = $training })) {
    if ($deploy.Names.Count -eq 0) { continue }
    & $deploy.Command -Name $deploy.Names -Environment $Environment -ThrottleLimit $ThrottleLimit -Force @common `
        -ErrorAction SilentlyContinue -ErrorVariable errors
    foreach ($e in $errors) {
        $failed.Add("$($e.TargetObject): $($e.Exception.Message.Split("`n")[0])")
        Write-Error -ErrorRecord $e -ErrorAction Continue
    }
}
if ($failed.Count -gt 0) {
    throw "Redeploying $Environment failed for $($failed.Count) service(s):`n$($failed -join "`n")"
}
