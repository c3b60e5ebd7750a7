<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Directory\Api;

/**
 * Test stand-in for Magento's country directory service (the method this module uses).
 */
interface CountryInformationAcquirerInterface
{
    /**
     * Return one country; NoSuchEntityException when unknown.
     *
     * @param string $countryId
     * @return \Magento\Directory\Api\Data\CountryInformationInterface
     */
    public function getCountryInfo($countryId);
}
