<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Directory\Api\Data;

/**
 * Test stand-in for Magento's country information (the method this module uses).
 */
interface CountryInformationInterface
{
    /**
     * Return the regions of the country, if it has a list.
     *
     * @return \Magento\Directory\Api\Data\RegionInformationInterface[]|null
     */
    public function getAvailableRegions();
}
