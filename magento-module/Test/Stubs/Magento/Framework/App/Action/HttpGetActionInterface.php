<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\App\Action;

/**
 * Test stand-in for Magento's GET action marker interface.
 */
interface HttpGetActionInterface
{
    /**
     * Execute the action.
     *
     * @return mixed
     */
    public function execute();
}
