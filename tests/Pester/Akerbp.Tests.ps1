# akerbp.mlops projects taken over with one command and deployed with their model code unchanged (tests/Fixtures/akerbp:
# the seed's mlops_settings.py with model_code/, and a 3.x mlops_settings.yaml with two models and common code).
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $ManifestPath -Force
    $savedEnv = $env:ENV, $env:MODEL_ENV
    $env:ENV = $null; $env:MODEL_ENV = $null

    function Copy-AkerbpFixture([string] $Name) {
        $target = Join-Path ([IO.Path]::GetTempPath()) "mlops-akerbp-$Name-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        Copy-Item (Join-Path $RepoRoot "tests/Fixtures/akerbp/$Name") $target -Recurse
        Get-ChildItem $target -Recurse -Directory -Filter __pycache__ | Remove-Item -Recurse -Force
        $target
    }

    function Get-FileHashes([string] $Folder) {
        $hashes = @{}
        Get-ChildItem $Folder -Recurse -File | Where-Object FullName -NotMatch '[\\/](__pycache__|\.mlops)[\\/]' | ForEach-Object {
            $hashes[[IO.Path]::GetRelativePath($Folder, $_.FullName)] = (Get-FileHash $_.FullName).Hash
        }
        $hashes
    }
}

AfterAll {
    $env:ENV, $env:MODEL_ENV = $savedEnv
}

Describe 'A project written as the akerbp.mlops seed documents it' {
    BeforeAll {
        $project = Copy-AkerbpFixture seed
        $before = Get-FileHashes $project
        Push-Location $project
        $import = Import-MlAkerbpProject -WarningVariable importWarnings -WarningAction SilentlyContinue
    }

    AfterAll {
        Get-MlService | Remove-MlService -Force -Confirm:$false
        Pop-Location
        Remove-Item $project -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'is taken over with one command that reports what it could not map, as objects and warnings' {
        $import | Should -BeOfType ([MlOps.Migration.AkerbpImport])
        $import.Models | Should -Be @('well_rate')
        $import.Source | Should -BeLike '*mlops_settings.py'
        @($import.Unmapped).Field | Should -Contain 'dataset'
        $import.Unmapped | Should -BeOfType ([MlOps.Migration.AkerbpFieldMapping])
        ($importWarnings -join "`n") | Should -Match 'dataset \(mlops\) is not mapped'
        Test-MlSetting | Should -BeTrue
        (Get-MlSetting).Models[0].Services | Should -Be @('prediction', 'training')
    }

    It 'deploys locally with its code unchanged and answers with the dev model id' {
        $deployment = Deploy-MlPredictionService well_rate -Environment dev -Verbose 4>&1 | Tee-Object -Variable stream |
            Where-Object { $_ -is [MlOps.Services.ServiceDeployment] }
        $deployment.Status | Should -Be 'Running'
        $deployment.TestResults.Passed | Should -Be @($true, $true, $true)
        (@($stream | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n") |
            Should -Match 'akerbp-mlops==MLOPS_VERSION: not installed'

        $answer = Invoke-MlPrediction well_rate -Environment dev -Data @{ pressure = @(100, 150) }
        $json = $answer.Json | ConvertFrom-Json
        $json.status | Should -Be 'ok'
        $json.model_id | Should -Be 'well_rate/dev/1'
        $json.prediction | Should -Be @(210, 310)
    }

    It 'answers errors with the fields akerbp.mlops callers read, and logs through the akerbp logger' {
        $answer = Invoke-MlPrediction well_rate -Environment dev -Data @{ flow = @(1) } -ErrorAction SilentlyContinue
        $json = $answer.Json | ConvertFrom-Json
        $json.status | Should -Be 'error'
        $json.error | Should -Match "data has no 'pressure'"
        $json.error_message | Should -Be $json.error
        $json.model_id | Should -Be 'well_rate/dev/1'
    }

    It 'writes the model''s debug lines when the settings ask for that level' {
        $env:MLOPS__models__0__logLevel = 'debug'
        try {
            $null = Deploy-MlPredictionService well_rate -Environment dev
            $answer = Invoke-MlPrediction well_rate -Environment dev -Data @{ pressure = @(1, 2, 3) }
            $lines = Get-MlServiceLog well_rate -Environment dev -CallId $answer.CallId
            $debug = $lines | Where-Object Message -eq 'scoring 3 rows'
            $debug.Level | Should -Be 'DEBUG'
        }
        finally {
            $env:MLOPS__models__0__logLevel = $null
        }
        $null = Deploy-MlPredictionService well_rate -Environment dev
        $answer = Invoke-MlPrediction well_rate -Environment dev -Data @{ pressure = @(1, 2, 3) }
        (Get-MlServiceLog well_rate -Environment dev -CallId $answer.CallId).Message | Should -Not -Contain 'scoring 3 rows'
    }

    It 'trains through train(data, folder_path, secrets) with the data given to Invoke-MlTraining' {
        $null = Deploy-MlTrainingService well_rate -Environment dev
        $answer = Invoke-MlTraining well_rate -Environment dev -Data @{ extra = @(, @(200, 410)) }
        $answer.Status | Should -Be 'ok'
        $training = ($answer.Json | ConvertFrom-Json).training
        $training.rows | Should -Be 6
        $training.published | Should -BeTrue
    }

    It 'leaves every file of the project as it was, and writes only mlops.settings.json beside them' {
        $after = Get-FileHashes $project
        foreach ($file in $before.Keys) { $after[$file] | Should -Be $before[$file] -Because "$file must not change" }
        @($after.Keys | Where-Object { -not $before.ContainsKey($_) }) | Should -Be @('mlops.settings.json')
    }
}

Describe 'A 3.x project with two models, common code and a Bitbucket pipeline' {
    BeforeAll {
        $project = Copy-AkerbpFixture yaml
        $before = Get-FileHashes $project
        Push-Location $project
    }

    AfterAll {
        Get-MlService | Remove-MlService -Force -Confirm:$false
        Pop-Location
        Remove-Item $project -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'writes nothing with -WhatIf, and keeps the existing pipeline unless -Force' {
        Import-MlAkerbpProject -WhatIf | Should -BeNullOrEmpty
        Test-Path mlops.settings.json | Should -BeFalse
        Test-Path .mlops | Should -BeFalse
        { Import-MlAkerbpProject -CiSystem Bitbucket -ErrorAction Stop -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'ProjectFileExists,MlOps.PowerShell.Commands.ImportMlAkerbpProjectCommand'
        Test-Path mlops.settings.json | Should -BeFalse
        (Get-FileHash bitbucket-pipelines.yml).Hash | Should -Be $before['bitbucket-pipelines.yml']
    }

    It 'is taken over and deploys both models with their code unchanged' {
        $import = Import-MlAkerbpProject -WarningAction SilentlyContinue
        $import.Models | Should -Be @('forecast', 'anomaly')
        Test-MlSetting | Should -BeTrue

        $deployments = 'forecast', 'anomaly' | ForEach-Object { Deploy-MlPredictionService $_ -Environment dev }
        $deployments.Status | Should -Be @('Running', 'Running')

        $forecast = (Invoke-MlPrediction forecast -Environment dev -Data @{ rate = @(2, 4) }).Json | ConvertFrom-Json
        $forecast.prediction | Should -Be @(3, 6)
        $forecast.model_id | Should -Be 'forecast/dev/1'
        $anomaly = (Invoke-MlPrediction anomaly -Environment dev -Data @{ rate = @(2, 40) }).Json | ConvertFrom-Json
        $anomaly.prediction | Should -Be @($false, $true)
        $anomaly.model_id | Should -Be 'anomaly/dev/1'
    }

    It 'answers a ModelException with its type and akerbp''s error fields' {
        $answer = Invoke-MlPrediction forecast -Environment dev -Data @{ flow = @(1) } -ErrorAction SilentlyContinue
        $json = $answer.Json | ConvertFrom-Json
        $json.error_message | Should -Be "ModelException: the input has no 'rate' curve"
        $json.model_id | Should -Be 'forecast/dev/1'
    }

    It 'left every existing file as it was' {
        $after = Get-FileHashes $project
        foreach ($file in $before.Keys) { $after[$file] | Should -Be $before[$file] -Because "$file must not change" }
    }
}
