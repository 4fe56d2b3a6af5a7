BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    function Get-Completion {
        # Completes each line at its end with TabExpansion2 in a fresh pwsh that imported the built module and stands in
        # $Location; returns one object per line with the completion texts and tooltips, and the errors the session recorded.
        param([Parameter(Mandatory)] [string] $Location, [Parameter(Mandatory)] [string[]] $Line, [hashtable] $Environment = @{})
        $encoded = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes((ConvertTo-Json @($Line) -Compress)))
        $variables = ($Environment.GetEnumerator() | ForEach-Object { "`$env:$($_.Key) = '$($_.Value)'" }) -join '; '
        $script = @"
`$ErrorActionPreference = 'Stop'
Remove-Item Env:ENV, Env:MODEL_ENV, Env:MLOPS_SETTINGS -ErrorAction SilentlyContinue
$variables
Import-Module '$ManifestPath'
Set-Location '$Location'
`$Error.Clear()
`$lines = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('$encoded')) | ConvertFrom-Json
`$results = foreach (`$line in `$lines) {
    `$clock = [Diagnostics.Stopwatch]::StartNew()
    `$found = (TabExpansion2 -inputScript `$line -cursorColumn `$line.Length).CompletionMatches
    [pscustomobject]@{ Line = `$line; Text = @(`$found.CompletionText); ToolTip = @(`$found.ToolTip); Seconds = `$clock.Elapsed.TotalSeconds; Errors = `$Error.Count }
}
ConvertTo-Json @(`$results) -Depth 4 -Compress
"@
        $output = Invoke-FreshPwsh $script
        $results = @($output)[-1] | ConvertFrom-Json
        $byLine = [ordered]@{}
        foreach ($result in $results) { $byLine[$result.Line] = $result }
        $byLine
    }
}

Describe 'Argument completion from the settings and the registry' {
    BeforeAll {
        $project = New-TestProject (Join-Path $TestDrive 'project')
        $null = New-TestArtifact (Join-Path $project 'artifacts/diabetes')
        $artifact = New-TestArtifact (Join-Path $TestDrive 'artifact')
        # A git repository, so the versions record a commit for -Commit to complete.
        Set-Content (Join-Path $project '.gitignore') "artifacts/`n.mlops/`nprod-registry/"
        $commit = New-TestGitCommit $project
        $script = "Import-Module '$ManifestPath'; Set-Location '$project'; " +
            "1..3 | ForEach-Object { `$null = Publish-MlModelArtifact churn '$artifact' -Environment test -Metadata @{ run = `$_ } }; 'published'"
        Invoke-FreshPwsh $script | Should -Contain 'published'
        $lines = @(
            'Get-MlModelVersion '
            'Get-MlModelVersion c'
            'Publish-MlModelArtifact -Name d'
            'Deploy-MlTrainingService '
            'Deploy-MlPredictionService '
            'Get-MlSetting -Model '
            'Get-MlModelVersion -Environment '
            "Save-MlModelArtifact churn -Environment 'te"
            'Get-MlSetting -Environment p'
            'Test-MlCdfConnection '
            'Get-MlModelVersion churn -Environment test -Version '
            'Get-MlModelVersion churn -Environment test -Version 2'
            'Save-MlModelArtifact -Name churn -Environment test -Version '
            'Deploy-MlPredictionService churn -Environment test -Version '
            'Get-MlModelVersion diabetes -Environment dev -Version '
            'Get-MlModelVersion churn -Environment prod -Version '
            'Get-MlModelVersion -Version '
            'Get-MlModelVersion churn -Environment test -Commit '
            'Get-MlModelVersion -Commit 0000'
        )
        $completions = Get-Completion -Location $project -Line $lines
    }

    It 'completes the commits the versions were made from, with the versions in the tooltip' {
        $completions['Get-MlModelVersion churn -Environment test -Commit '].Text | Should -Be @($commit.Substring(0, 10))
        $completions['Get-MlModelVersion churn -Environment test -Commit '].ToolTip[0] | Should -Be "$commit on main: churn/test/3, churn/test/2, churn/test/1"
        $completions['Get-MlModelVersion -Commit 0000'].Text | Should -BeNullOrEmpty
    }

    It 'completes model names from the settings, in their order' {
        $completions['Get-MlModelVersion '].Text | Should -Be @('diabetes', 'churn')
        $completions['Get-MlModelVersion c'].Text | Should -Be @('churn')
        $completions['Publish-MlModelArtifact -Name d'].Text | Should -Be @('diabetes')
        $completions['Get-MlSetting -Model '].Text | Should -Be @('diabetes', 'churn')
    }

    It 'completes only the models that offer the service being deployed' {
        $completions['Deploy-MlTrainingService '].Text | Should -Be @('diabetes')
        $completions['Deploy-MlPredictionService '].Text | Should -Be @('diabetes', 'churn')
    }

    It 'completes environment names, keeping the quote the user typed' {
        $completions['Get-MlModelVersion -Environment '].Text | Should -Be @('dev', 'test', 'prod')
        $completions["Save-MlModelArtifact churn -Environment 'te"].Text | Should -Be @("'test'")
        $completions['Get-MlSetting -Environment p'].Text | Should -Be @('prod')
        $completions['Get-MlModelVersion -Environment '].ToolTip[2] | Should -Match 'prod: local:.* registry, local platform, protected'
    }

    It 'offers only CDF environments to the CDF connection cmdlets' {
        $completions['Test-MlCdfConnection '].Text | Should -BeNullOrEmpty
    }

    It 'completes version numbers from the registry for the model and environment on the command line, newest first' {
        $completions['Get-MlModelVersion churn -Environment test -Version '].Text | Should -Be @('3', '2', '1')
        $completions['Get-MlModelVersion churn -Environment test -Version '].ToolTip[0] | Should -Match '^churn/test/3: \d{4}-\d\d-\d\d \d\d:\d\d UTC run=3$'
        $completions['Get-MlModelVersion churn -Environment test -Version 2'].Text | Should -Be @('2')
        $completions['Save-MlModelArtifact -Name churn -Environment test -Version '].Text | Should -Be @('3', '2', '1')
        $completions['Deploy-MlPredictionService churn -Environment test -Version '].Text | Should -Be @('3', '2', '1')
    }

    It "offers dev's artifact folder as version 1, nothing where there is no version, and nothing without a model in a project of several" {
        $completions['Get-MlModelVersion diabetes -Environment dev -Version '].Text | Should -Be @('1')
        $completions['Get-MlModelVersion diabetes -Environment dev -Version '].ToolTip[0] | Should -Match 'diabetes/dev/1: the dev artifact folder'
        $completions['Get-MlModelVersion churn -Environment prod -Version '].Text | Should -BeNullOrEmpty
        $completions['Get-MlModelVersion -Version '].Text | Should -BeNullOrEmpty
    }

    It 'records no error in the session' {
        $completions.Values.Errors | Sort-Object -Unique | Should -Be 0
    }

    It 'finds the settings from a subfolder, from -SettingsPath on the command line, and takes the environment from $env:ENV' {
        $outside = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'elsewhere') -Force).FullName
        $fromSub = Get-Completion -Location (Join-Path $project 'models/churn') -Line 'Get-MlModelVersion '
        $fromSub['Get-MlModelVersion '].Text | Should -Be @('diabetes', 'churn')

        $lines = "Get-MlModelVersion -SettingsPath '$project' -Name ", 'Get-MlModelVersion ', "Get-MlModelVersion -SettingsPath '$project' churn -Environment test -Version "
        $fromOutside = Get-Completion -Location $outside -Line $lines
        $fromOutside[$lines[0]].Text | Should -Be @('diabetes', 'churn')
        $fromOutside[$lines[1]].Text | Should -BeNullOrEmpty
        $fromOutside[$lines[2]].Text | Should -Be @('3', '2', '1')

        $withEnv = Get-Completion -Location $project -Line 'Get-MlModelVersion churn -Version ' -Environment @{ ENV = 'test' }
        $withEnv['Get-MlModelVersion churn -Version '].Text | Should -Be @('3', '2', '1')
    }

    It 'offers CDF environments, and no versions quickly and without an error when CDF cannot be reached' {
        # Completion must not hang or fail at the prompt: the CDF registry here points at a closed port and has no secret.
        $unreachable = [pscustomobject]@{ Project = 'p'; BaseUrl = 'http://127.0.0.1:9'; ClientId = 'c'; TokenUrl = 'http://127.0.0.1:9/token' }
        $cdfProject = New-TestProject (Join-Path $TestDrive 'cdf-project') -Cdf $unreachable
        $lines = 'Connect-MlCdf ', 'Disconnect-MlCdf -Environment ', 'Get-MlModelVersion churn -Environment test -Version ', 'Get-MlModelVersion -Environment '
        $cdf = Get-Completion -Location $cdfProject -Line $lines
        $cdf['Connect-MlCdf '].Text | Should -Be @('test', 'prod')
        $cdf['Disconnect-MlCdf -Environment '].Text | Should -Be @('test', 'prod')
        $cdf['Get-MlModelVersion -Environment '].Text | Should -Be @('dev', 'test', 'prod')
        $cdf['Get-MlModelVersion churn -Environment test -Version '].Text | Should -BeNullOrEmpty
        $cdf['Get-MlModelVersion churn -Environment test -Version '].Seconds | Should -BeLessThan 5
        $cdf.Values.Errors | Sort-Object -Unique | Should -Be 0
    }
}

Describe 'Argument completion of deployed services' {
    BeforeAll {
        $savedEnv = $env:ENV, $env:MODEL_ENV
        $env:ENV = $null; $env:MODEL_ENV = $null
        # Not in $TestDrive: the deployed service must outlive the block until AfterAll removes it.
        $example = Join-Path ([IO.Path]::GetTempPath()) "mlops-completion-$([guid]::NewGuid().ToString('N'))"
        Copy-Item (Join-Path $RepoRoot 'scripts/example') $example -Recurse
        $python = Find-TestPython
        Push-Location $example
        try { & $python -c "from models.diabetes.model import train; train('artifacts/diabetes', {})" } finally { Pop-Location }
        $script = "`$ErrorActionPreference = 'Stop'; Import-Module '$ManifestPath'; Set-Location '$example'; " +
            "`$null = Publish-MlModelArtifact diabetes ./artifacts/diabetes -Environment test | Deploy-MlPredictionService; 'deployed'"
        Invoke-FreshPwsh $script | Should -Contain 'deployed'
        $lines = @(
            'Invoke-MlPrediction '
            'Invoke-MlPrediction -Environment test d'
            'Invoke-MlPrediction -Environment dev '
            'Get-MlService '
            'Remove-MlService -Environment test '
            'Invoke-MlServiceTest '
            'Get-MlServiceLog -Service Training '
            'Invoke-MlTraining '
            'Deploy-MlPredictionService -Environment test -Version '
        )
        $completions = Get-Completion -Location $example -Line $lines
    }

    AfterAll {
        Invoke-FreshPwsh "Import-Module '$ManifestPath'; Set-Location '$example'; Get-MlService | Remove-MlService -Force -Confirm:`$false" | Out-Null
        Get-ChildItem $example -Recurse -File | ForEach-Object { $_.IsReadOnly = $false }
        Remove-Item $example -Recurse -Force
        $env:ENV, $env:MODEL_ENV = $savedEnv
    }

    It 'completes the models that have a deployed service of the kind the command addresses, with the service in the tooltip' {
        $completions['Invoke-MlPrediction '].Text | Should -Be @('diabetes')
        $completions['Invoke-MlPrediction '].ToolTip[0] | Should -Match '^diabetes-prediction-test at http://127\.0\.0\.1:\d+$'
        $completions['Invoke-MlPrediction -Environment test d'].Text | Should -Be @('diabetes')
        $completions['Get-MlService '].Text | Should -Be @('diabetes')
        $completions['Remove-MlService -Environment test '].Text | Should -Be @('diabetes')
        $completions['Invoke-MlServiceTest '].Text | Should -Be @('diabetes')
    }

    It 'offers nothing where no such service is deployed' {
        $completions['Invoke-MlPrediction -Environment dev '].Text | Should -BeNullOrEmpty
        $completions['Get-MlServiceLog -Service Training '].Text | Should -BeNullOrEmpty
        $completions['Invoke-MlTraining '].Text | Should -BeNullOrEmpty
    }

    It "uses a single-model project's model for version completion" {
        $completions['Deploy-MlPredictionService -Environment test -Version '].Text | Should -Be @('1')
    }
}
